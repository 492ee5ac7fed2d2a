/**
 * The streams partition assignor (KIP-441 high-availability task assignment). Named re-exports only.
 */
export {
  ASSIGNMENT_INFO_VERSION,
  type AssignmentInfo,
  AssignorErrorCode,
  activeTasksByPartition,
  decodeAssignmentInfo,
  encodeAssignmentInfo,
} from './assignment-info.js';
export {
  assignTasksToClients,
  type ClientAssignment,
  type ClientState,
  type ClientTasks,
} from './client-task-assignor.js';
export { type ClientMember, distributeToMembers } from './member-task-distribution.js';
export { type BalanceBin, type StickyBalanceInput, stickyBalance } from './sticky-balance.js';
export {
  computeStreamsAssignment,
  type MemberTaskAssignment,
  type StreamsAssignment,
  type StreamsAssignmentInput,
} from './streams-assignment.js';
export {
  DEFAULT_STREAMS_ASSIGNOR_CONFIG,
  resolveStreamsAssignorConfig,
  type StreamsAssignorConfig,
} from './streams-assignor-config.js';
export {
  createStreamsPartitionAssignor,
  STREAMS_ASSIGNOR_NAME,
  type StreamsPartitionAssignorOptions,
} from './streams-partition-assignor.js';
export { StreamsUserDataError } from './streams-user-data-error.js';
export {
  decodeSubscriptionInfo,
  encodeSubscriptionInfo,
  SUBSCRIPTION_INFO_VERSION,
  type SubscriptionInfo,
} from './subscription-info.js';
export { compareTaskIds, compareTaskKeys, parseTaskId, type TaskId, taskKey } from './task-id.js';
export {
  type ClientOffsets,
  clientLags,
  type EndOffsetSource,
  endOffsetSums,
  taskLag,
  UNKNOWN_LAG,
} from './task-lags.js';
export {
  type AssignorSubTopology,
  type TaskInfo,
  type TopologyTasks,
  topologyTasks,
} from './topology-tasks.js';
