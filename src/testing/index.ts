/** Test utilities: TopologyTestDriver and its topics; the simulated cluster and the exactly-once checker. */

export {
  type CaseReport,
  type CheckExactlyOnceOptions,
  type CheckReport,
  type ClusterSnapshot,
  type CompareOptions,
  checkExactlyOnce,
  checkQuiescent,
  compareSnapshots,
  describeFault,
  ExactlyOnceViolation,
  FAST_BROKER_SETTINGS,
  type Fault,
  type FaultKind,
  type FaultScheduleConstraints,
  faultArbitrary,
  faultDurationMs,
  faultSchedule,
  type InputRecord,
  type InputRecordsConstraints,
  inputRecords,
  type OutputOrder,
  type PartitionOffsets,
  type RenderedRecord,
  renderBytes,
  runOnce,
  SAFE_FAULT_KINDS,
  type ScheduledFault,
  SimulatedCluster,
  type SimulatedClusterOptions,
  ZOMBIE_LINGER_MS,
} from './simulation/index.js';
export { TestInputTopic } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { RawTestRecord, TestRecord } from './test-record.js';
export { TopologyTestDriver, type TopologyTestDriverOptions } from './topology-test-driver.js';
