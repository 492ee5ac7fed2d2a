/**
 * The errors of Kafka's protocol that millrace's broker and clients exchange, with Kafka's numeric
 * error codes (so the TCP listener can put them on the wire as they are) and Kafka's retriable
 * flags (so a client knows to refresh metadata and retry). Between actors they travel as plain
 * data (`WireError`) and are turned back into these classes on arrival.
 */
import { MillraceError, OffsetOutOfRangeError } from './errors.js';

/** An error as it crosses the network: Kafka's code, a message, and whether to retry. */
export interface WireError {
  readonly errorCode: number;
  readonly name: string;
  readonly message: string;
  readonly retriable: boolean;
}

/**
 * An error of Kafka's protocol.
 *
 * @example
 * ```ts
 * if (err instanceof KafkaProtocolError && err.retriable) await refreshMetadataAndRetry();
 * ```
 */
export class KafkaProtocolError extends MillraceError {
  /** Kafka's numeric error code. */
  readonly errorCode: number;

  constructor(errorCode: number, code: string, message: string, retriable: boolean) {
    super(code, message, retriable);
    this.errorCode = errorCode;
  }
}

function define(errorCode: number, code: string, retriable: boolean, advice: string) {
  return class extends KafkaProtocolError {
    static readonly errorCode = errorCode;
    constructor(message: string) {
      super(errorCode, code, `${message}; ${advice}`, retriable);
    }
  };
}

/** The broker is not the leader (or a follower) of the partition: refresh metadata and retry. */
export const NotLeaderOrFollowerError = define(
  6,
  'NOT_LEADER_OR_FOLLOWER',
  true,
  'refresh metadata and retry',
);
/** The topic or partition does not exist (yet): refresh metadata and retry, or create it. */
export const UnknownTopicOrPartitionError = define(
  3,
  'UNKNOWN_TOPIC_OR_PARTITION',
  true,
  'create the topic or refresh metadata',
);
/** Fewer replicas are in sync than min.insync.replicas: nothing was written; retry later. */
export const NotEnoughReplicasError = define(19, 'NOT_ENOUGH_REPLICAS', true, 'retry once replicas catch up');
/** Written by the leader, but too few replicas confirmed it in time: it may or may not survive. */
export const NotEnoughReplicasAfterAppendError = define(
  20,
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  true,
  'retry (idempotence makes it safe)',
);
/** The request timed out before the broker answered: retry. */
export const RequestTimedOutError = define(7, 'REQUEST_TIMED_OUT', true, 'retry');
/** The leader is not yet available (an election is running): retry after a backoff. */
export const LeaderNotAvailableError = define(5, 'LEADER_NOT_AVAILABLE', true, 'retry after a backoff');
/** The group coordinator is loading or moving: retry after a backoff. */
export const CoordinatorNotAvailableError = define(
  15,
  'COORDINATOR_NOT_AVAILABLE',
  true,
  'find the coordinator again and retry',
);
/** This broker is not the group's coordinator: find the coordinator again. */
export const NotCoordinatorError = define(
  16,
  'NOT_COORDINATOR',
  true,
  'find the coordinator again and retry',
);
/** The coordinator is still loading the group's state: retry. */
export const CoordinatorLoadInProgressError = define(14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'retry');
/** The group is rebalancing: rejoin. */
export const RebalanceInProgressError = define(27, 'REBALANCE_IN_PROGRESS', false, 'rejoin the group');
/** The member's generation is stale: rejoin. */
export const IllegalGenerationError = define(22, 'ILLEGAL_GENERATION', false, 'rejoin the group');
/** The member id is unknown to the coordinator: rejoin with an empty member id. */
export const UnknownMemberIdError = define(25, 'UNKNOWN_MEMBER_ID', false, 'rejoin with an empty member id');
/** First join of a member: rejoin with the member id given in the response (KIP-394). */
export const MemberIdRequiredError = define(
  79,
  'MEMBER_ID_REQUIRED',
  false,
  'rejoin with the assigned member id',
);
/** Another member with the same group.instance.id has taken over (static membership). */
export const FencedInstanceIdError = define(
  82,
  'FENCED_INSTANCE_ID',
  false,
  'stop this member: another instance took over',
);
/** The members of a group use protocols that do not match. */
export const InconsistentGroupProtocolError = define(
  23,
  'INCONSISTENT_GROUP_PROTOCOL',
  false,
  'use the same protocol type and a common assignor',
);
/** A session timeout outside the broker's allowed range. */
export const InvalidSessionTimeoutError = define(
  26,
  'INVALID_SESSION_TIMEOUT',
  false,
  'use a session timeout the broker allows',
);
/** The group is not empty (for delete) or does not exist. */
export const NonEmptyGroupError = define(68, 'NON_EMPTY_GROUP', false, 'stop the group members first');
/** The group does not exist. */
export const GroupIdNotFoundError = define(69, 'GROUP_ID_NOT_FOUND', false, 'check the group id');
/** A topic with that name exists already. */
export const TopicAlreadyExistsError = define(
  36,
  'TOPIC_ALREADY_EXISTS',
  false,
  'use it, or delete it first',
);
/** A request that is malformed or not allowed (bad partition count, replication factor …). */
export const InvalidRequestError = define(42, 'INVALID_REQUEST', false, 'fix the request');
/** The replication factor is larger than the number of live brokers. */
export const InvalidReplicationFactorError = define(
  38,
  'INVALID_REPLICATION_FACTOR',
  false,
  'use at most as many replicas as brokers',
);
/** A broker-side storage failure: the replica is offline. */
export const KafkaStorageErrorOnBroker = define(
  56,
  'KAFKA_STORAGE_ERROR',
  true,
  'retry: another replica will take over',
);

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
