/** Test utilities: TopologyTestDriver and its topics. */
export { TestInputTopic } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { RawTestRecord, TestRecord } from './test-record.js';
export { TopologyTestDriver, type TopologyTestDriverOptions } from './topology-test-driver.js';
