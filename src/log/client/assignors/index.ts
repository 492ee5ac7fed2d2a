/**
 * Client-side partition assignors and Kafka's ConsumerProtocol encoding. Named re-exports only.
 */
export {
  ASSIGNMENT_VERSION,
  type ConsumerAssignment,
  type ConsumerSubscription,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  SUBSCRIPTION_VERSION,
} from './consumer-protocol.js';
export { cooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
export {
  assignGroup,
  assignorFor,
  BUILT_IN_ASSIGNORS,
  decodeMemberSubscriptions,
  type GroupMemberMetadata,
} from './group-assignment.js';
export {
  compareMembers,
  comparePartitions,
  compareStrings,
  emptyAssignment,
  type MemberAssignment,
  type MemberSubscription,
  type PartitionAssignor,
  partitionKey,
  partitionsOf,
  type RebalanceProtocol,
  type TopicPartition,
} from './partition-assignor.js';
export { rangeAssignor } from './range-assignor.js';
export { roundRobinAssignor } from './round-robin-assignor.js';
