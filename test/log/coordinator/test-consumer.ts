/**
 * A consumer's side of the classic group protocol, driven by a test: it joins (two steps),
 * computes the assignment when it leads, syncs, heartbeats, rejoins on REBALANCE_IN_PROGRESS, and
 * resets on UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION, as Kafka's ConsumerCoordinator does. With an
 * eager assignor it revokes everything before rejoining; with cooperative-sticky it keeps what it
 * owns, revokes only what the new assignment lacks, and rejoins at once if it revoked anything
 * (KIP-429). A test can stop it (with or without LeaveGroup), crash it, pause it (a long GC:
 * nothing it receives is handled until it resumes), or stall it (its application thread is busy:
 * the heartbeat thread goes on, but it rejoins only when the stall ends, like a consumer past
 * max.poll.interval.ms).
 */
import {
  FencedInstanceIdError,
  IllegalGenerationError,
  RebalanceInProgressError,
  RequestTimedOutError,
  UnknownMemberIdError,
} from '../../../src/common/kafka-errors.js';
import { decodeAssignment, encodeSubscription } from '../../../src/log/client/assignors/consumer-protocol.js';
import {
  assignGroup,
  assignorFor,
  decodeMemberSubscriptions,
} from '../../../src/log/client/assignors/group-assignment.js';
import type { TopicPartition } from '../../../src/log/client/assignors/partition-assignor.js';
import type { JoinGroupResult, SyncGroupResult } from '../../../src/log/coordinator/membership-requests.js';
import {
  type ActorEvent,
  RpcClient,
  type Simulation,
  type TimerHandle,
} from '../../../src/runtime/actor/index.js';

export const HEARTBEAT_INTERVAL_MS = 1000;
export const SESSION_TIMEOUT_MS = 6000;
export const REBALANCE_TIMEOUT_MS = 10_000;

/** What the leader saw and decided, for checks of the assignor in a live group. */
export interface LeaderDecision {
  readonly generationId: number;
  readonly members: ReturnType<typeof decodeMemberSubscriptions>;
  readonly assignments: Map<string, TopicPartition[]>;
}

/** What a consumer needs from its world. */
export interface ConsumerWorld {
  readonly sim: Simulation;
  readonly host: string;
  readonly groupId: string;
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  readonly onDecision: (decision: LeaderDecision) => void;
  /** Called with anything a correct coordinator should never answer. */
  readonly onUnexpected: (consumer: TestConsumer, what: string) => void;
}

export type ConsumerStatus = 'stopped' | 'joining' | 'syncing' | 'stable' | 'fenced';

/** A simulated consumer. */
export class TestConsumer {
  readonly name: string;
  readonly groupInstanceId: string | null;
  readonly protocol: string;
  topics: string[];
  memberId = '';
  generationId = -1;
  owned: TopicPartition[] = [];
  status: ConsumerStatus = 'stopped';
  pausedUntilMs = -1;
  stalledUntilMs = -1;
  lastGeneration = -1;
  private readonly world: ConsumerWorld;
  private readonly rpc: RpcClient;
  /** Bumped by stop and crash: answers to calls of an earlier life are dropped. */
  private life = 0;
  /** The one call whose answer counts; answers to superseded calls are dropped. */
  private callToken = 0;
  private heartbeatTimer: TimerHandle | undefined;
  private readonly inbox: (() => void)[] = [];
  /** A rejoin waiting for the stall to end. */
  private joinDeferred = false;

  constructor(
    world: ConsumerWorld,
    name: string,
    options: { groupInstanceId: string | null; protocol: string; topics: string[] },
  ) {
    this.world = world;
    this.name = name;
    this.groupInstanceId = options.groupInstanceId;
    this.protocol = options.protocol;
    this.topics = options.topics;
    this.rpc = new RpcClient(world.sim.system, name);
  }

  get cooperative(): boolean {
    return this.protocol === 'cooperative-sticky';
  }

  get alive(): boolean {
    return this.status !== 'stopped' && this.status !== 'fenced';
  }

  start(): void {
    this.life++;
    this.memberId = '';
    this.generationId = -1;
    this.owned = [];
    this.join();
  }

  /** Stops: a dynamic member leaves the group; a static one just goes (Kafka's close). */
  stop(): void {
    if (this.alive && this.groupInstanceId === null && this.memberId !== '') {
      void this.rpc
        .call(
          this.world.host,
          {
            type: 'group.leave',
            groupId: this.world.groupId,
            members: [{ memberId: this.memberId, groupInstanceId: null }],
          },
          5000,
        )
        .catch(() => undefined);
    }
    this.crash();
  }

  /** Dies without a word. */
  crash(): void {
    this.life++;
    this.status = 'stopped';
    this.owned = [];
    this.pausedUntilMs = -1;
    this.stalledUntilMs = -1;
    this.joinDeferred = false;
    this.inbox.length = 0;
    this.heartbeatTimer?.cancel();
  }

  /** Freezes for `ms`: timers and answers wait until it thaws. */
  pause(ms: number): void {
    const until = this.world.sim.clock.nowMs() + ms;
    this.pausedUntilMs = Math.max(this.pausedUntilMs, until);
    const life = this.life;
    this.world.sim.clock.setTimer(ms, () => {
      if (life !== this.life || this.world.sim.clock.nowMs() < this.pausedUntilMs) return;
      this.pausedUntilMs = -1;
      for (const run of this.inbox.splice(0)) run();
    });
  }

  /** Busy for `ms`: heartbeats go on, a rejoin waits. */
  stall(ms: number): void {
    const clock = this.world.sim.clock;
    this.stalledUntilMs = Math.max(this.stalledUntilMs, clock.nowMs() + ms);
    const life = this.life;
    clock.setTimer(ms, () => {
      if (life !== this.life || clock.nowMs() < this.stalledUntilMs) return;
      this.stalledUntilMs = -1;
      this.whenAwake(life, () => {
        if (!this.joinDeferred) return;
        this.joinDeferred = false;
        this.join();
      });
    });
  }

  get paused(): boolean {
    return this.pausedUntilMs >= 0;
  }

  /** A new subscription: rejoin with it (eager members give everything up first). */
  subscribe(topics: string[]): void {
    this.topics = topics;
    if (this.alive) this.whenAwake(this.life, () => this.alive && this.join());
  }

  private join(): void {
    this.status = 'joining';
    if (this.stalledUntilMs >= 0) {
      // Only the heartbeat thread runs: it keeps the session alive until the stall ends.
      this.joinDeferred = true;
      this.callToken++;
      if (this.memberId !== '' && this.generationId >= 0) this.scheduleHeartbeat();
      return;
    }
    this.heartbeatTimer?.cancel();
    if (!this.cooperative) this.owned = [];
    else this.owned = this.owned.filter((tp) => this.topics.includes(tp.topic));
    const metadata = encodeSubscription({
      topics: this.topics,
      userData: null,
      ownedPartitions: this.cooperative ? this.owned : [],
      generationId: this.generationId,
      rackId: null,
    });
    this.send<JoinGroupResult>(
      {
        type: 'group.join',
        groupId: this.world.groupId,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        clientId: this.name,
        clientHost: `/${this.name}`,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
        protocolType: 'consumer',
        protocols: [{ name: this.protocol, metadata }],
      },
      REBALANCE_TIMEOUT_MS + 5000,
      (result) => this.onJoined(result),
    );
  }

  private onJoined(result: JoinGroupResult): void {
    this.memberId = result.memberId;
    if (result.outcome === 'memberIdRequired') {
      this.join();
      return;
    }
    if (result.generationId < this.lastGeneration) {
      this.world.onUnexpected(
        this,
        `generation went back from ${this.lastGeneration} to ${result.generationId}`,
      );
    }
    this.lastGeneration = result.generationId;
    this.generationId = result.generationId;
    this.status = 'syncing';
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    if (result.leader === result.memberId && !result.skipAssignment) {
      const assignor = assignorFor(result.protocolName);
      assignments = assignGroup(assignor, this.world.partitionsPerTopic, result.members);
      const members = decodeMemberSubscriptions(result.members);
      const decided = new Map(
        assignments.map((a) => [a.memberId, [...decodeAssignment(a.assignment).partitions]]),
      );
      this.world.onDecision({ generationId: result.generationId, members, assignments: decided });
    }
    this.send<SyncGroupResult>(
      {
        type: 'group.sync',
        groupId: this.world.groupId,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        generationId: this.generationId,
        protocolType: 'consumer',
        protocolName: result.protocolName,
        assignments,
      },
      REBALANCE_TIMEOUT_MS + 5000,
      (sync) => this.onSynced(sync),
    );
  }

  private onSynced(result: SyncGroupResult): void {
    const assigned = decodeAssignment(result.assignment).partitions;
    const keep = new Set(assigned.map((tp) => `${tp.topic}-${tp.partition}`));
    const revoked = this.owned.filter((tp) => !keep.has(`${tp.topic}-${tp.partition}`));
    this.owned = [...assigned];
    this.status = 'stable';
    if (this.cooperative && revoked.length > 0) this.join();
    else this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    const life = this.life;
    this.heartbeatTimer = this.world.sim.clock.setTimer(HEARTBEAT_INTERVAL_MS, () =>
      this.whenAwake(life, () => {
        if (this.status !== 'stable' && !this.joinDeferred) return;
        this.send(
          {
            type: 'group.heartbeat',
            groupId: this.world.groupId,
            memberId: this.memberId,
            groupInstanceId: this.groupInstanceId,
            generationId: this.generationId,
          },
          5000,
          () => this.scheduleHeartbeat(),
          () => this.joinDeferred && this.scheduleHeartbeat(),
        );
      }),
    );
  }

  /** Sends a call whose answer (unless superseded, or from an earlier life) goes to `onResult`. */
  private send<T>(
    event: ActorEvent,
    timeoutMs: number,
    onResult: (result: T) => void,
    onErrorWhileStalled?: () => void,
  ): void {
    const life = this.life;
    const token = ++this.callToken;
    const current = () => token === this.callToken;
    this.rpc.call<T>(this.world.host, event, timeoutMs).then(
      (result) => this.whenAwake(life, () => current() && onResult(result)),
      (err: unknown) =>
        this.whenAwake(life, () => {
          if (!current()) return;
          // A stalled consumer's heartbeat thread only notes the error; the rejoin is already due.
          if (
            onErrorWhileStalled !== undefined &&
            this.joinDeferred &&
            !(err instanceof FencedInstanceIdError)
          ) {
            if (err instanceof UnknownMemberIdError || err instanceof IllegalGenerationError)
              this.resetMembership(err);
            else onErrorWhileStalled();
            return;
          }
          this.onError(event.type, err);
        }),
    );
  }

  private resetMembership(err: Error): void {
    // Kafka resets and treats its partitions as lost: someone else may own them already.
    this.memberId = err instanceof UnknownMemberIdError ? '' : this.memberId;
    this.generationId = -1;
    this.owned = [];
  }

  private onError(call: string, err: unknown): void {
    if (err instanceof FencedInstanceIdError) {
      this.status = 'fenced';
      this.owned = [];
      this.heartbeatTimer?.cancel();
      return;
    }
    if (err instanceof UnknownMemberIdError || err instanceof IllegalGenerationError) {
      this.resetMembership(err);
      this.join();
      return;
    }
    if (err instanceof RebalanceInProgressError) {
      this.join();
      return;
    }
    if (err instanceof RequestTimedOutError) {
      // A lost request or answer: a heartbeat is simply sent again; a join or sync starts over.
      if (call === 'group.heartbeat' && this.status === 'stable') this.scheduleHeartbeat();
      else this.join();
      return;
    }
    this.world.onUnexpected(
      this,
      `${call} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : err}`,
    );
  }

  private whenAwake(life: number, run: () => void): void {
    if (life !== this.life) return;
    if (this.paused) this.inbox.push(run);
    else run();
  }
}
