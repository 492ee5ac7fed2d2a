/** The DSL: StreamsBuilder, KStream and the Topology they build (plain data). */
export { type Branched, BranchedKStream } from './branched-kstream.js';
export { KStream, type Produced } from './kstream.js';
export type { Named } from './named.js';
export {
  type Header,
  type KeyValue,
  keyValue,
  type StreamRecord,
  type TopicExtractorContext,
} from './stream-record.js';
export { type Consumed, StreamsBuilder } from './streams-builder.js';
export { Topology } from './topology.js';
export type {
  BranchDef,
  InternalTopicDefinition,
  ProcessorNode,
  ProcessorOp,
  SinkNode,
  SourceNode,
  StoreDefinition,
  SubTopology,
  TimestampExtractorDef,
  TopicExtractor,
  TopologyNode,
} from './topology-nodes.js';
