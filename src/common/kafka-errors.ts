/**
 * The errors of Kafka's protocol that millrace's broker and clients exchange, with Kafka's numeric
 * error codes (so the TCP listener can put them on the wire as they are) and Kafka's retriable
 * flags (so a client knows to refresh metadata and retry). Between actors they travel as plain
 * data (`WireError`) and are turned back into these classes on arrival.
 */
import { MillraceError, OffsetOutOfRangeError } from './errors.js';
import { KafkaProtocolError, type WireError } from './kafka-protocol-error.js';
import { TRANSACTION_ERRORS } from './transaction-errors.js';

export { KafkaProtocolError, type WireError } from './kafka-protocol-error.js';

/** The broker is not the leader (or a follower) of the partition: refresh metadata and retry.
 *
 * @example
 * ```ts
 * throw new NotLeaderOrFollowerError('orders-0');
 * ```
 */
export class NotLeaderOrFollowerError extends KafkaProtocolError {
  static readonly errorCode = 6;
  constructor(message: string) {
    super(6, 'NOT_LEADER_OR_FOLLOWER', `${message}; refresh metadata and retry`, true);
  }
}
/**
 * The topic or partition does not exist (yet): refresh metadata and retry, or create it.
 *
 * @example
 * ```ts
 * throw new UnknownTopicOrPartitionError('orders-0');
 * ```
 */
export class UnknownTopicOrPartitionError extends KafkaProtocolError {
  static readonly errorCode = 3;
  constructor(message: string) {
    super(3, 'UNKNOWN_TOPIC_OR_PARTITION', `${message}; create the topic or refresh metadata`, true);
  }
}
/**
 * Fewer replicas are in sync than min.insync.replicas: nothing was written; retry later.
 *
 * @example
 * ```ts
 * throw new NotEnoughReplicasError('orders-0');
 * ```
 */
export class NotEnoughReplicasError extends KafkaProtocolError {
  static readonly errorCode = 19;
  constructor(message: string) {
    super(19, 'NOT_ENOUGH_REPLICAS', `${message}; retry once replicas catch up`, true);
  }
}
/**
 * Written by the leader, but too few replicas confirmed it in time: it may or may not survive.
 *
 * @example
 * ```ts
 * throw new NotEnoughReplicasAfterAppendError('orders-0');
 * ```
 */
export class NotEnoughReplicasAfterAppendError extends KafkaProtocolError {
  static readonly errorCode = 20;
  constructor(message: string) {
    super(20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', `${message}; retry (idempotence makes it safe)`, true);
  }
}
/**
 * The request timed out before the broker answered: retry.
 *
 * @example
 * ```ts
 * throw new RequestTimedOutError('orders-0');
 * ```
 */
export class RequestTimedOutError extends KafkaProtocolError {
  static readonly errorCode = 7;
  constructor(message: string) {
    super(7, 'REQUEST_TIMED_OUT', `${message}; retry`, true);
  }
}
/**
 * The leader is not yet available (an election is running): retry after a backoff.
 *
 * @example
 * ```ts
 * throw new LeaderNotAvailableError('orders-0');
 * ```
 */
export class LeaderNotAvailableError extends KafkaProtocolError {
  static readonly errorCode = 5;
  constructor(message: string) {
    super(5, 'LEADER_NOT_AVAILABLE', `${message}; retry after a backoff`, true);
  }
}
/**
 * The group coordinator is loading or moving: retry after a backoff.
 *
 * @example
 * ```ts
 * throw new CoordinatorNotAvailableError('orders-0');
 * ```
 */
export class CoordinatorNotAvailableError extends KafkaProtocolError {
  static readonly errorCode = 15;
  constructor(message: string) {
    super(15, 'COORDINATOR_NOT_AVAILABLE', `${message}; find the coordinator again and retry`, true);
  }
}
/**
 * This broker is not the group's coordinator: find the coordinator again.
 *
 * @example
 * ```ts
 * throw new NotCoordinatorError('orders-0');
 * ```
 */
export class NotCoordinatorError extends KafkaProtocolError {
  static readonly errorCode = 16;
  constructor(message: string) {
    super(16, 'NOT_COORDINATOR', `${message}; find the coordinator again and retry`, true);
  }
}
/**
 * The coordinator is still loading the group's state: retry.
 *
 * @example
 * ```ts
 * throw new CoordinatorLoadInProgressError('orders-0');
 * ```
 */
export class CoordinatorLoadInProgressError extends KafkaProtocolError {
  static readonly errorCode = 14;
  constructor(message: string) {
    super(14, 'COORDINATOR_LOAD_IN_PROGRESS', `${message}; retry`, true);
  }
}
/**
 * The group is rebalancing: rejoin.
 *
 * @example
 * ```ts
 * throw new RebalanceInProgressError('orders-0');
 * ```
 */
export class RebalanceInProgressError extends KafkaProtocolError {
  static readonly errorCode = 27;
  constructor(message: string) {
    super(27, 'REBALANCE_IN_PROGRESS', `${message}; rejoin the group`, false);
  }
}
/**
 * The member's generation is stale: rejoin.
 *
 * @example
 * ```ts
 * throw new IllegalGenerationError('orders-0');
 * ```
 */
export class IllegalGenerationError extends KafkaProtocolError {
  static readonly errorCode = 22;
  constructor(message: string) {
    super(22, 'ILLEGAL_GENERATION', `${message}; rejoin the group`, false);
  }
}
/**
 * The member id is unknown to the coordinator: rejoin with an empty member id.
 *
 * @example
 * ```ts
 * throw new UnknownMemberIdError('orders-0');
 * ```
 */
export class UnknownMemberIdError extends KafkaProtocolError {
  static readonly errorCode = 25;
  constructor(message: string) {
    super(25, 'UNKNOWN_MEMBER_ID', `${message}; rejoin with an empty member id`, false);
  }
}
/**
 * First join of a member: rejoin with the member id given in the response (KIP-394).
 *
 * @example
 * ```ts
 * throw new MemberIdRequiredError('orders-0');
 * ```
 */
export class MemberIdRequiredError extends KafkaProtocolError {
  static readonly errorCode = 79;
  constructor(message: string) {
    super(79, 'MEMBER_ID_REQUIRED', `${message}; rejoin with the assigned member id`, false);
  }
}
/**
 * Another member with the same group.instance.id has taken over (static membership).
 *
 * @example
 * ```ts
 * throw new FencedInstanceIdError('orders-0');
 * ```
 */
export class FencedInstanceIdError extends KafkaProtocolError {
  static readonly errorCode = 82;
  constructor(message: string) {
    super(82, 'FENCED_INSTANCE_ID', `${message}; stop this member: another instance took over`, false);
  }
}
/**
 * The members of a group use protocols that do not match.
 *
 * @example
 * ```ts
 * throw new InconsistentGroupProtocolError('orders-0');
 * ```
 */
export class InconsistentGroupProtocolError extends KafkaProtocolError {
  static readonly errorCode = 23;
  constructor(message: string) {
    super(
      23,
      'INCONSISTENT_GROUP_PROTOCOL',
      `${message}; use the same protocol type and a common assignor`,
      false,
    );
  }
}
/**
 * A session timeout outside the broker's allowed range.
 *
 * @example
 * ```ts
 * throw new InvalidSessionTimeoutError('orders-0');
 * ```
 */
export class InvalidSessionTimeoutError extends KafkaProtocolError {
  static readonly errorCode = 26;
  constructor(message: string) {
    super(26, 'INVALID_SESSION_TIMEOUT', `${message}; use a session timeout the broker allows`, false);
  }
}
/**
 * The group is not empty (for delete) or does not exist.
 *
 * @example
 * ```ts
 * throw new NonEmptyGroupError('orders-0');
 * ```
 */
export class NonEmptyGroupError extends KafkaProtocolError {
  static readonly errorCode = 68;
  constructor(message: string) {
    super(68, 'NON_EMPTY_GROUP', `${message}; stop the group members first`, false);
  }
}
/**
 * The group does not exist.
 *
 * @example
 * ```ts
 * throw new GroupIdNotFoundError('orders-0');
 * ```
 */
export class GroupIdNotFoundError extends KafkaProtocolError {
  static readonly errorCode = 69;
  constructor(message: string) {
    super(69, 'GROUP_ID_NOT_FOUND', `${message}; check the group id`, false);
  }
}
/**
 * A topic with that name exists already.
 *
 * @example
 * ```ts
 * throw new TopicAlreadyExistsError('orders-0');
 * ```
 */
export class TopicAlreadyExistsError extends KafkaProtocolError {
  static readonly errorCode = 36;
  constructor(message: string) {
    super(36, 'TOPIC_ALREADY_EXISTS', `${message}; use it, or delete it first`, false);
  }
}
/**
 * A request that is malformed or not allowed (bad partition count, replication factor …).
 *
 * @example
 * ```ts
 * throw new InvalidRequestError('orders-0');
 * ```
 */
export class InvalidRequestError extends KafkaProtocolError {
  static readonly errorCode = 42;
  constructor(message: string) {
    super(42, 'INVALID_REQUEST', `${message}; fix the request`, false);
  }
}
/** The replication factor is larger than the number of live brokers.
 *
 * @example
 * ```ts
 * throw new InvalidReplicationFactorError('orders-0');
 * ```
 */
export class InvalidReplicationFactorError extends KafkaProtocolError {
  static readonly errorCode = 38;
  constructor(message: string) {
    super(38, 'INVALID_REPLICATION_FACTOR', `${message}; use at most as many replicas as brokers`, false);
  }
}
/**
 * A broker-side storage failure: the replica is offline.
 *
 * @example
 * ```ts
 * throw new KafkaStorageErrorOnBroker('orders-0');
 * ```
 */
export class KafkaStorageErrorOnBroker extends KafkaProtocolError {
  static readonly errorCode = 56;
  constructor(message: string) {
    super(56, 'KAFKA_STORAGE_ERROR', `${message}; retry: another replica will take over`, true);
  }
}

/**
 * Offset commit metadata longer than the broker allows (offset.metadata.max.bytes).
 *
 * @example
 * ```ts
 * throw new OffsetMetadataTooLargeError('metadata of orders-0 is 5000 bytes, at most 4096');
 * ```
 */
export class OffsetMetadataTooLargeError extends KafkaProtocolError {
  static readonly errorCode = 12;
  constructor(message: string) {
    super(12, 'OFFSET_METADATA_TOO_LARGE', `${message}; commit shorter metadata`, false);
  }
}
/**
 * The group id is empty or otherwise not allowed.
 *
 * @example
 * ```ts
 * throw new InvalidGroupIdError('the group id is empty');
 * ```
 */
export class InvalidGroupIdError extends KafkaProtocolError {
  static readonly errorCode = 24;
  constructor(message: string) {
    super(24, 'INVALID_GROUP_ID', `${message}; use a non-empty group id`, false);
  }
}
/**
 * The group already has as many members as group.max.size allows.
 *
 * @example
 * ```ts
 * throw new GroupMaxSizeReachedError('group orders has 100 members');
 * ```
 */
export class GroupMaxSizeReachedError extends KafkaProtocolError {
  static readonly errorCode = 81;
  constructor(message: string) {
    super(81, 'GROUP_MAX_SIZE_REACHED', `${message}; stop some members or raise group.max.size`, false);
  }
}

const BY_CODE = new Map<number, new (message: string) => KafkaProtocolError>(
  [
    NotLeaderOrFollowerError,
    UnknownTopicOrPartitionError,
    NotEnoughReplicasError,
    NotEnoughReplicasAfterAppendError,
    RequestTimedOutError,
    LeaderNotAvailableError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
    CoordinatorLoadInProgressError,
    RebalanceInProgressError,
    IllegalGenerationError,
    UnknownMemberIdError,
    MemberIdRequiredError,
    FencedInstanceIdError,
    InconsistentGroupProtocolError,
    InvalidSessionTimeoutError,
    NonEmptyGroupError,
    GroupIdNotFoundError,
    TopicAlreadyExistsError,
    InvalidRequestError,
    InvalidReplicationFactorError,
    KafkaStorageErrorOnBroker,
    OffsetMetadataTooLargeError,
    InvalidGroupIdError,
    GroupMaxSizeReachedError,
    ...TRANSACTION_ERRORS,
  ].map((cls) => [cls.errorCode, cls]),
);

/** Kafka's code for OFFSET_OUT_OF_RANGE. */
export const OFFSET_OUT_OF_RANGE_CODE = 1;
/** Kafka's code for an error it cannot classify. */
export const UNKNOWN_SERVER_ERROR_CODE = -1;

/**
 * Turns an error into its wire form. Errors that are not Kafka protocol errors become
 * UNKNOWN_SERVER_ERROR, non-retriable, with their message kept.
 *
 * @example
 * ```ts
 * respond({ type: 'rpc.response', correlationId, error: toWireError(err) });
 * ```
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof KafkaProtocolError) {
    return { errorCode: err.errorCode, name: err.name, message: err.message, retriable: err.retriable };
  }
  if (err instanceof OffsetOutOfRangeError) {
    return { errorCode: OFFSET_OUT_OF_RANGE_CODE, name: err.name, message: err.message, retriable: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : 'Error';
  return {
    errorCode: UNKNOWN_SERVER_ERROR_CODE,
    name,
    message,
    retriable: err instanceof MillraceError && err.retriable,
  };
}

/**
 * Turns a wire error back into a typed error (the class of its Kafka code), so callers can use
 * instanceof and `retriable`.
 *
 * @example
 * ```ts
 * if (response.error) throw fromWireError(response.error);
 * ```
 */
export function fromWireError(wire: WireError): MillraceError {
  const cls = BY_CODE.get(wire.errorCode);
  if (cls !== undefined) {
    const err = new cls('');
    // Keep the broker's full message (which already carries the advice).
    Object.defineProperty(err, 'message', { value: wire.message });
    return err;
  }
  return new KafkaProtocolError(
    wire.errorCode,
    wire.errorCode === OFFSET_OUT_OF_RANGE_CODE ? 'OFFSET_OUT_OF_RANGE' : 'UNKNOWN_SERVER_ERROR',
    wire.message,
    wire.retriable,
  );
}
