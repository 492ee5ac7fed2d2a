/**
 * A consumer's side of Kafka's classic group protocol: find the coordinator, join (the
 * member-id-required two-step), compute the assignment when leading, sync, heartbeat, rejoin on
 * REBALANCE_IN_PROGRESS, reset on UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION (its partitions count as
 * lost), look for the coordinator again when it moved, and leave on stop. With cooperative-sticky
 * it keeps what it owns, gives up only what the new assignment lacks, and rejoins at once when it
 * gave anything up (KIP-429); with an eager assignor everything is revoked before each rejoin.
 */
import { MillraceError } from '../../../common/errors.js';
import {
  FencedInstanceIdError,
  IllegalGenerationError,
  KafkaProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../common/kafka-errors.js';
import type { Clock, TimerHandle } from '../../../runtime/actor/clock.js';
import type { JoinGroupResult, SyncGroupResult } from '../../coordinator/membership-requests.js';
import { decodeAssignment, decodeSubscription, encodeSubscription } from '../assignors/consumer-protocol.js';
import { assignGroup, assignorFor, decodeMemberSubscriptions } from '../assignors/group-assignment.js';
import type { PartitionAssignor } from '../assignors/partition-assignor.js';
import type { EmbeddedLogClient } from '../embedded-log-client.js';
import { type TopicPartition, tpKey } from './consumer-record.js';

/** Errors that mean "ask where the coordinator is again", whatever their retriable flag says. */
const COORDINATOR_MOVED = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

/** The settings of a group member. */
export interface MembershipOptions {
  groupId: string;
  /** Static membership (KIP-345): a stable id that survives restarts without a rebalance. */
  groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /**
   * 'range', 'roundrobin' or 'cooperative-sticky', or an application's own assignor (its name is
   * the protocol name; it is cooperative when it supports COOPERATIVE).
   */
  assignor: string | PartitionAssignor;
  retryBackoffMs: number;
}

/** What the membership tells its consumer. */
export interface MembershipCallbacks {
  /**
   * A new assignment: what was added and what was revoked (given up cleanly), and the assignor's
   * userData for this member (null from the built-in assignors). `userData` is undefined when
   * no assignment came from the group: the eager protocol's revoke-everything before a rejoin.
   */
  onAssignment(
    assigned: TopicPartition[],
    added: TopicPartition[],
    revoked: TopicPartition[],
    userData?: Uint8Array | null,
  ): void | Promise<void>;
  /** Partitions lost without a clean hand-over (session expired, fenced): do not commit them. */
  onLost(lost: TopicPartition[]): void;
}

/** Where a member is. */
export type MembershipStatus = 'stopped' | 'joining' | 'syncing' | 'stable' | 'fenced';

/**
 * One consumer's membership of a group.
 *
 * @example
 * ```ts
 * const membership = new GroupMembership(client, clock, options, callbacks);
 * membership.subscribe(['orders']);
 * ```
 */
export class GroupMembership {
  memberId = '';
  generationId = -1;
  owned: TopicPartition[] = [];
  /** The userData of the latest assignment (Kafka's Assignment.userData); null before one. */
  assignmentUserData: Uint8Array | null = null;
  status: MembershipStatus = 'stopped';
  /** Set when the group refused this member for good; the consumer's next poll throws it. */
  failure: Error | undefined;
  private topics: string[] = [];
  private coordinator: number | undefined;
  private life = 0;
  private callToken = 0;
  private heartbeatTimer: TimerHandle | undefined;
  /**
   * Set while the consumer's listener works on a revocation (committing): no JoinGroup goes out
   * before it ends, or the group could hand the partitions over before their work is committed.
   */
  private revoking: Promise<void> | undefined;
  private joinAfterRevoking = false;

  constructor(
    private readonly client: EmbeddedLogClient,
    private readonly clock: Clock,
    private readonly options: MembershipOptions,
    private readonly callbacks: MembershipCallbacks,
  ) {}

  private get cooperative(): boolean {
    const a = this.options.assignor;
    return typeof a === 'string' ? a === 'cooperative-sticky' : a.supportedProtocols.includes('COOPERATIVE');
  }

  /** The application's own assignor, if it has one. */
  private get customAssignor(): PartitionAssignor | undefined {
    return typeof this.options.assignor === 'string' ? undefined : this.options.assignor;
  }

  /** Joins (or rejoins) with a new subscription. */
  subscribe(topics: readonly string[]): void {
    this.topics = [...new Set(topics)].sort();
    if (this.status === 'stopped' || this.status === 'fenced') this.life++;
    this.join();
  }

  /**
   * Rejoins at once when the membership is stable (Kafka's enforceRebalance): the assignment is
   * computed again, as when the streams assignor asks for a probing rebalance. A member already
   * rebalancing has nothing to do.
   */
  enforceRebalance(): void {
    if (this.status === 'stable') this.join();
  }

  /** Leaves the group (a static member just goes, as Kafka's close does) and stops. */
  async stop(): Promise<void> {
    const wasMember = this.memberId !== '' && this.status !== 'stopped' && this.status !== 'fenced';
    this.life++;
    this.heartbeatTimer?.cancel();
    this.status = 'stopped';
    if (wasMember && this.options.groupInstanceId === null && this.coordinator !== undefined) {
      await this.client
        .brokerCall(this.coordinator, {
          type: 'group.leave',
          groupId: this.options.groupId,
          members: [{ memberId: this.memberId, groupInstanceId: null }],
        })
        .catch(() => undefined);
    }
    this.owned = [];
  }

  private join(): void {
    this.status = 'joining';
    this.heartbeatTimer?.cancel();
    if (this.revoking !== undefined) {
      this.joinAfterRevoking = true;
      return;
    }
    if (!this.cooperative && this.owned.length > 0) {
      // Eager protocol: everything is given up before rejoining, so whatever the new generation
      // assigns counts as added (its committed offsets are fetched again).
      const revoked = this.owned;
      this.owned = [];
      this.assignmentUserData = null;
      if (this.awaitRevocation(this.callbacks.onAssignment([], [], revoked))) {
        this.joinAfterRevoking = true;
        return;
      }
    }
    this.owned = this.owned.filter((tp) => this.topics.includes(tp.topic));
    const metadata = encodeSubscription({
      topics: this.topics,
      userData: this.customAssignor?.subscriptionUserData?.(this.topics) ?? null,
      ownedPartitions: this.cooperative ? this.owned : [],
      generationId: this.generationId,
      rackId: null,
    });
    this.call<JoinGroupResult>(
      {
        type: 'group.join',
        groupId: this.options.groupId,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        clientId: this.options.clientId,
        clientHost: `/${this.options.clientId}`,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        protocolType: 'consumer',
        protocols: [{ name: this.customAssignor?.name ?? (this.options.assignor as string), metadata }],
      },
      this.options.rebalanceTimeoutMs + 5000,
      (result) => void this.onJoined(result),
    );
  }

  private async onJoined(result: JoinGroupResult): Promise<void> {
    this.memberId = result.memberId;
    if (result.outcome === 'memberIdRequired') {
      this.join();
      return;
    }
    this.generationId = result.generationId;
    this.status = 'syncing';
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    if (result.leader === result.memberId && !result.skipAssignment) {
      const life = this.life;
      const topics = new Set<string>();
      for (const m of result.members) for (const t of decodeSubscription(m.metadata).topics) topics.add(t);
      const md = await this.client.metadata([...topics]).catch(() => undefined);
      if (life !== this.life) return;
      if (md === undefined) {
        this.retryLater(() => this.join());
        return;
      }
      const partitionsPerTopic = new Map(md.topics.map((t) => [t.name, t.partitions.length]));
      const assignor = assignorFor(result.protocolName, this.customAssignor);
      if (assignor.prepareAssignment !== undefined) {
        const prepared = await assignor
          .prepareAssignment(partitionsPerTopic, decodeMemberSubscriptions(result.members))
          .then(
            () => true,
            () => false,
          );
        if (life !== this.life) return;
        if (!prepared) {
          this.retryLater(() => this.join());
          return;
        }
      }
      assignments = assignGroup(assignor, partitionsPerTopic, result.members);
    }
    this.call<SyncGroupResult>(
      {
        type: 'group.sync',
        groupId: this.options.groupId,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        generationId: this.generationId,
        protocolType: 'consumer',
        protocolName: result.protocolName,
        assignments,
      },
      this.options.rebalanceTimeoutMs + 5000,
      (sync) => this.onSynced(sync),
    );
  }

  private onSynced(result: SyncGroupResult): void {
    const decoded = decodeAssignment(result.assignment);
    const assigned = [...decoded.partitions].map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
    }));
    const keep = new Set(assigned.map(tpKey));
    const had = new Set(this.owned.map(tpKey));
    const revoked = this.owned.filter((tp) => !keep.has(tpKey(tp)));
    const added = assigned.filter((tp) => !had.has(tpKey(tp)));
    this.owned = assigned;
    this.assignmentUserData = decoded.userData;
    this.status = 'stable';
    // Heartbeats go on while the listener commits (a long commit must not cost the membership).
    this.scheduleHeartbeat();
    const revoking = this.awaitRevocation(
      this.callbacks.onAssignment(assigned, added, revoked, decoded.userData),
    );
    if (this.cooperative && revoked.length > 0) {
      // KIP-429: rejoin at once to give the revoked partitions to their new owner — once their
      // work is committed.
      if (revoking) this.joinAfterRevoking = true;
      else this.join();
    }
  }

  /**
   * Holds joins back until a revocation's listener is done; true when there is one to wait for.
   * A join asked for meanwhile (by the cooperative protocol, a heartbeat's REBALANCE_IN_PROGRESS,
   * enforceRebalance) goes out when it ends.
   */
  private awaitRevocation(pending: void | Promise<void>): boolean {
    if (pending === undefined) return false;
    const life = this.life;
    const done = () => {
      if (this.revoking !== revoking) return;
      this.revoking = undefined;
      if (life !== this.life || !this.joinAfterRevoking) return;
      this.joinAfterRevoking = false;
      this.join();
    };
    const revoking: Promise<void> = pending.then(done, done);
    this.revoking = revoking;
    return true;
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    const life = this.life;
    this.heartbeatTimer = this.clock.setTimer(this.options.heartbeatIntervalMs, () => {
      if (life !== this.life || this.status !== 'stable') return;
      this.call(
        {
          type: 'group.heartbeat',
          groupId: this.options.groupId,
          memberId: this.memberId,
          groupInstanceId: this.options.groupInstanceId,
          generationId: this.generationId,
        },
        this.options.sessionTimeoutMs,
        () => this.scheduleHeartbeat(),
      );
    });
  }

  /** Sends a call to the coordinator (finding it first); only the latest call's answer counts. */
  private call<T>(
    event: { type: string; [field: string]: unknown },
    timeoutMs: number,
    onResult: (result: T) => void,
  ): void {
    const life = this.life;
    const token = ++this.callToken;
    const current = () => life === this.life && token === this.callToken;
    const send = async (): Promise<T> => {
      this.coordinator ??= await this.client.findCoordinator(this.options.groupId);
      return this.client.brokerCall<T>(this.coordinator, event, timeoutMs);
    };
    send().then(
      (result) => {
        if (current()) onResult(result);
      },
      (err: unknown) => {
        if (current()) this.onError(event.type, err);
      },
    );
  }

  private onError(call: string, err: unknown): void {
    if (err instanceof FencedInstanceIdError) {
      this.lose();
      this.status = 'fenced';
      return;
    }
    if (err instanceof UnknownMemberIdError || err instanceof IllegalGenerationError) {
      // Someone else may own our partitions already: they are lost, not revoked.
      if (err instanceof UnknownMemberIdError) this.memberId = '';
      this.generationId = -1;
      this.lose();
      this.join();
      return;
    }
    if (err instanceof RebalanceInProgressError) {
      this.join();
      return;
    }
    if (
      err instanceof MillraceError &&
      !err.retriable &&
      !(err instanceof KafkaProtocolError && COORDINATOR_MOVED.has(err.code))
    ) {
      // A refusal no retry can fix (an invalid session timeout, group id or protocol): stop and
      // let the consumer report it.
      this.lose();
      this.status = 'stopped';
      this.failure = err;
      this.life++;
      return;
    }
    // The coordinator moved, is loading, or did not answer: find it again after a back-off.
    this.coordinator = undefined;
    if (call === 'group.heartbeat' && this.status === 'stable')
      this.retryLater(() => this.scheduleHeartbeat());
    else this.retryLater(() => this.join());
  }

  private lose(): void {
    const lost = this.owned;
    this.owned = [];
    this.heartbeatTimer?.cancel();
    if (lost.length > 0) this.callbacks.onLost(lost);
  }

  private retryLater(run: () => void): void {
    const life = this.life;
    this.clock.setTimer(this.options.retryBackoffMs, () => {
      if (life === this.life) run();
    });
  }
}
