/**
 * The simulated cluster and the property-based exactly-once checker: named re-exports only.
 */
export {
  type FaultScheduleConstraints,
  faultArbitrary,
  faultSchedule,
  type InputRecordsConstraints,
  inputRecords,
  SAFE_FAULT_KINDS,
} from './arbitraries.js';
export {
  type CaseReport,
  type CheckExactlyOnceOptions,
  type CheckReport,
  checkExactlyOnce,
  ExactlyOnceViolation,
  runOnce,
} from './check-exactly-once.js';
export {
  type CompareOptions,
  checkQuiescent,
  compareSnapshots,
  type OutputOrder,
} from './compare-snapshots.js';
export {
  describeFault,
  type Fault,
  type FaultKind,
  faultDurationMs,
  type ScheduledFault,
  ZOMBIE_LINGER_MS,
} from './faults.js';
export {
  type RawStoredRecord,
  readPartition,
  readPartitionBytes,
  retrying,
  type StoredRecord,
} from './read-partition.js';
export { renderBytes } from './render.js';
export {
  createTopicAndSettle,
  FAST_BROKER_SETTINGS,
  type SimulatedBrokers,
  settle,
  simulatedBrokers,
} from './simulated-brokers.js';
export {
  type ClusterSnapshot,
  type InputRecord,
  type PartitionOffsets,
  type RenderedRecord,
  SimulatedCluster,
  type SimulatedClusterOptions,
} from './simulated-cluster.js';
export { type InstanceConfig, SimulatedInstance } from './simulated-instance.js';
