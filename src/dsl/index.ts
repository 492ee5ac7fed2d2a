/** The DSL: StreamsBuilder, KStream and the Topology they build (plain data). */
export { type Branched, BranchedKStream } from './branched-kstream.js';
export { type Change, change, changeSerde } from './change.js';
export { CogroupedKStream } from './cogrouped-kstream.js';
export { GlobalKTable } from './global-ktable.js';
export type { DefaultSerdes } from './graph-builder.js';
export type { JoinOp, JoinType } from './join-ops.js';
export { type Grouped, KGroupedStream } from './kgrouped-stream.js';
export { KGroupedTable } from './kgrouped-table.js';
export { KStream, type Produced } from './kstream.js';
export { KTable } from './ktable.js';
export type { Named } from './named.js';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  RecordMetadata,
} from './processor-api.js';
export { SessionWindowedKStream } from './session-windowed-kstream.js';
export type { StatefulOp } from './stateful-ops.js';
export { type Materialized, type StoreDefinition, type StoreOptions, Stores } from './store-definitions.js';
export type { Joined, StreamJoined, ValueJoiner } from './stream-joins.js';
export {
  type Header,
  type KeyValue,
  keyValue,
  type StreamRecord,
  type TopicExtractorContext,
} from './stream-record.js';
export { type Consumed, StreamsBuilder } from './streams-builder.js';
export { type SuppressBufferEntry, suppressBufferEntrySerde } from './suppress.js';
export { TimeWindowedKStream } from './time-windowed-kstream.js';
export { Topology } from './topology.js';
export type {
  BranchDef,
  InternalTopicDefinition,
  ProcessorNode,
  ProcessorOp,
  SinkNode,
  SourceNode,
  StatelessOp,
  SubTopology,
  TimestampExtractorDef,
  TopicExtractor,
  TopologyNode,
} from './topology-nodes.js';
export type { WindowOp } from './window-ops.js';
export * from './windows/index.js';
