/**
 * The group coordinator: Kafka's classic consumer group protocol over actors, with its state in
 * `__consumer_offsets`, and its part in transactions (TxnOffsetCommit, markers). Named re-exports only.
 */
export {
  DEFAULT_GROUP_COORDINATOR_CONFIG,
  type GroupCoordinatorConfig,
  resolveGroupCoordinatorConfig,
} from './coordinator-config.js';
export type {
  CoordinatorRecord,
  CoordinatorStateLog,
  CoordinatorTxnMarker,
  StoredCoordinatorRecord,
  TransactionalProducer,
} from './coordinator-state-log.js';
export { describeGroup, stateName } from './group-admin.js';
export {
  type CoordinatorLoadEvent,
  type CoordinatorUnloadEvent,
  type GroupCoordinatorHostEvent,
  type GroupCoordinatorHostInput,
  groupCoordinatorHostMachine,
} from './group-coordinator-host-machine.js';
export { type GroupEvent, groupCoordinatorMachine } from './group-coordinator-machine.js';
export type { GroupActorInput, GroupRetiredEvent, GroupStateChangedEvent } from './group-lifecycle.js';
export { javaStringHashCode, kafkaAbs, partitionForGroup } from './group-partition.js';
export { type LoadedGroup, replayOffsetsTopic } from './group-replay.js';
export {
  type DeleteGroupRequest,
  type DescribeGroupRequest,
  GROUP_REQUEST_TYPES,
  type GroupDescription,
  type GroupRequest,
  type GroupStateName,
  type ListGroupsRequest,
  type ListGroupsResult,
} from './group-requests.js';
export type { GroupTxnCompletedEvent } from './group-txn-offsets.js';
export { KafkaReader, KafkaWriter } from './kafka-binary.js';
export { newMemberId, uuidFrom } from './member-id.js';
export type {
  GroupProtocol,
  HeartbeatParams,
  HeartbeatRequest,
  JoinGroupMember,
  JoinGroupParams,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupParams,
  LeaveGroupRequest,
  LeaveGroupResult,
  SyncGroupParams,
  SyncGroupRequest,
  SyncGroupResult,
} from './membership-requests.js';
export type {
  FetchedOffset,
  GroupTopicPartition,
  OffsetCommitParams,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetFetchParams,
  OffsetFetchRequest,
  OffsetFetchResult,
} from './offset-requests.js';
export {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  groupMetadataKey,
  type OffsetCommitValue,
  type OffsetsTopicKey,
  offsetCommitKey,
  type StoredGroupMember,
} from './offsets-topic-records.js';
export { PartitionStateLog } from './partition-state-log.js';
export type { GroupTxnMarkerRequest, TxnOffsetCommitRequest } from './txn-offset-requests.js';
