/**
 * A stream thread's commits (DESIGN.md §3, §7): what each one covers (the consumed input offsets,
 * with the tasks' progress), the transaction's end under exactly_once_v2 or the flush and offset
 * commit under at_least_once, and what a successful one releases (store writes, pending offsets).
 *
 * Under exactly_once_v2 the interval commit is pipelined: the transaction ends while the thread
 * processes on, its outputs held for the next transaction (thread-output.ts) and its stores'
 * writes sealed (TaskStores.seal: readable, under the next transaction's, applied once the commit
 * succeeded). Anything that needs the commit done (another commit, a rebalance, shutdown)
 * settles it first; a failed one is handed to the thread's abort, as any failed commit is, which
 * drops the sealed writes with everything after them and reopens the tasks from their last commit.
 */

import type { Consumer } from '../../log/client/consumer/consumer.js';
import { tpKey } from '../../log/client/consumer/consumer-record.js';
import type { Producer } from '../../log/client/producer/producer.js';
import type { Clock } from '../actor/clock.js';
import type { ActiveTask } from './active-task.js';
import { CommitPositions, type TaskOffset } from './commit-positions.js';
import type { StreamThreadMetrics } from './stream-thread-types.js';
import { ThreadOutput } from './thread-output.js';

/** The input offsets a commit covers, and each task's consumed offsets when it started. */
interface CommitRound {
  readonly tasks: readonly ActiveTask[];
  readonly offsets: readonly TaskOffset[];
  readonly consumed: ReadonlyMap<ActiveTask, ReadonlyMap<string, number>>;
}

/** A pipelined commit whose transaction is ending; `outcome` is set once it has. */
interface EndingCommit {
  readonly round: CommitRound;
  outcome: { ok: true } | { ok: false; error: unknown } | undefined;
  readonly promise: Promise<void>;
}

/**
 * Outputs held while a pipelined commit ends beyond which the thread waits for it: a few polls'
 * worth, so a slow commit cannot grow memory without bound.
 */
const MAX_HELD_OUTPUTS = 10_000;

/**
 * What a thread's commits need of it.
 *
 * @example
 * ```ts
 * const deps: ThreadCommitsDeps = { eos: true, producer, consumer, clock, metrics, abort: (e) => thread.abort(e) };
 * ```
 */
export interface ThreadCommitsDeps {
  readonly eos: boolean;
  readonly producer: Producer;
  readonly consumer: Consumer;
  readonly clock: Clock;
  readonly metrics: StreamThreadMetrics;
  /** Aborts and rewinds after a failed commit (rethrows what is fatal). */
  readonly abort: (error: unknown) => Promise<void>;
}

/**
 * The commits of one stream thread.
 *
 * @example
 * ```ts
 * const commits = new ThreadCommits(deps);
 * commits.output.begin(); // process a poll, its outputs through commits.output.append
 * if (commits.due(intervalMs)) await commits.commit(tasks.values(), commits.canPipeline(tasks.values()));
 * await commits.settle(true); // before a rebalance or shutdown
 * ```
 */
export class ThreadCommits {
  readonly output: ThreadOutput;
  private readonly positions = new CommitPositions();
  private ending: EndingCommit | undefined;
  private lastCommitMs: number;

  constructor(private readonly deps: ThreadCommitsDeps) {
    this.output = new ThreadOutput(deps.producer, deps.eos);
    this.lastCommitMs = deps.clock.monotonicMs();
  }

  /** True once `intervalMs` passed since the last commit started. */
  due(intervalMs: number): boolean {
    return this.deps.clock.monotonicMs() - this.lastCommitMs >= intervalMs;
  }

  /** Starts the interval over (the thread starts running). */
  restartInterval(): void {
    this.lastCommitMs = this.deps.clock.monotonicMs();
  }

  /** Under exactly_once_v2, when every store of the tasks can seal a commit (see TaskStores.seal). */
  canPipeline(tasks: Iterable<ActiveTask>): boolean {
    if (!this.deps.eos) return false;
    for (const t of tasks) if (!t.stores.canSeal()) return false;
    return true;
  }

  /** True when outputs pile up behind a pipelined commit: the thread should settle it. */
  get heldTooMany(): boolean {
    return this.ending !== undefined && this.output.queued >= MAX_HELD_OUTPUTS;
  }

  /** Something was produced, or a transaction is open, that no commit covers yet. */
  get outputPending(): boolean {
    return this.ending !== undefined || this.output.inTransaction || this.output.queued > 0;
  }

  /**
   * Commits what `tasks` processed: outputs, changelogs and input offsets. Waits for it, or with
   * `pipelined` only starts its transaction's end and returns (`settle` finishes it).
   */
  async commit(tasks: Iterable<ActiveTask>, pipelined = false): Promise<void> {
    await this.settle(true);
    this.lastCommitMs = this.deps.clock.monotonicMs();
    const list = [...tasks];
    if (list.length === 0) return;
    if (this.deps.eos && !this.output.inTransaction) {
      // Records processed while a pipelined commit ended, with no output: no transaction opened
      // for them, but their offsets (and store writes) still want one.
      if (!list.some((t) => t.consumed.size > 0)) return;
      this.output.begin();
    }
    const round = this.startRound(list);
    let ended: Promise<void>;
    try {
      await this.output.drain();
      for (const t of list) await t.stores.prepareCommit(this.deps.producer);
      if (pipelined) for (const t of list) t.stores.seal();
      ended = this.endTransaction(round);
      // (Its failure is met where it is awaited; until then it must not count as unhandled.)
      ended.catch(() => undefined);
      if (pipelined) this.output.hold();
      // The last commit's store writes reach the engines while this one's round trips run
      // (TransactionalBytesStore.deferEngineWrites). The requests and the last batches go out on
      // microtasks: one turn of the loop sends them first, or the broker would see nothing until
      // the engines are written.
      await new Promise<void>((resolve) => this.deps.clock.setTimer(0, resolve));
      let applyFailure: { error: unknown } | undefined;
      try {
        for (const t of list) t.stores.applyDeferred();
      } catch (error) {
        applyFailure = { error };
      }
      if (!pipelined || applyFailure !== undefined) {
        // The transaction's outcome first: an abort must not race its end.
        await ended;
        // Committed, but a store could not take its writes: the abort reopens the tasks, and the
        // stores restore what they lack from their changelogs.
        if (applyFailure !== undefined) throw applyFailure.error;
      }
    } catch (error) {
      await this.deps.abort(error);
      return;
    }
    if (!pipelined) {
      this.committed(round);
      return;
    }
    const ending: EndingCommit = {
      round,
      outcome: undefined,
      promise: ended.then(
        () => {
          ending.outcome = { ok: true };
        },
        (error: unknown) => {
          ending.outcome = { ok: false, error };
        },
      ),
    };
    this.ending = ending;
  }

  /**
   * Finishes a pipelined commit: at once when it has ended, or (with `wait`) once it does. Then
   * its round counts as committed and the outputs held meanwhile open the next transaction; or it
   * failed, and the thread aborts and rewinds as after any failed commit.
   */
  async settle(wait: boolean): Promise<void> {
    const ending = this.ending;
    if (ending === undefined || (ending.outcome === undefined && !wait)) return;
    await ending.promise;
    this.ending = undefined;
    const outcome = ending.outcome!;
    if (!outcome.ok) {
      await this.deps.abort(outcome.error);
      return;
    }
    this.committed(ending.round);
    if (this.output.queued === 0) return;
    try {
      this.output.begin();
      await this.output.drain();
    } catch (error) {
      await this.deps.abort(error);
    }
  }

  /** Drops held outputs and aborts the open transaction (a rewind; the thread settled first). */
  async abort(): Promise<void> {
    await this.output.abort();
  }

  private startRound(tasks: readonly ActiveTask[]): CommitRound {
    const consumed = new Map<ActiveTask, ReadonlyMap<string, number>>();
    for (const t of tasks) {
      consumed.set(t, new Map([...t.consumed].map(([key, c]) => [key, c.offset])));
      t.task.commitStarted();
    }
    return { tasks, offsets: this.positions.toCommit(tasks, this.deps.consumer), consumed };
  }

  /** The transaction's end (exactly_once_v2), or the flush and offset commit (at_least_once). */
  private async endTransaction(round: CommitRound): Promise<void> {
    const { producer, consumer } = this.deps;
    if (this.deps.eos) {
      const txnOffsets = round.offsets.map(({ tp, offset, metadata }) => ({
        topic: tp.topic,
        partition: tp.partition,
        offset,
        metadata,
      }));
      // The transaction's last batches leave now, beside the offsets, rather than after them
      // (commitTransaction's own flush then finds them sent); a failed send fails the commit.
      producer.flush().catch(() => undefined);
      if (txnOffsets.length > 0)
        await producer.sendOffsetsToTransaction(txnOffsets, consumer.groupMetadata()!);
      await producer.commitTransaction();
    } else {
      await producer.flush();
      if (round.offsets.length > 0) {
        await consumer.commitSync(new Map(round.offsets.map((o) => [tpKey(o.tp), o])));
      }
    }
  }

  /** After a successful commit: stores apply, and what the round covered is no longer pending. */
  private committed(round: CommitRound): void {
    this.output.committed();
    for (const t of round.tasks) {
      t.stores.commit();
      const covered = round.consumed.get(t);
      // Records processed while a pipelined commit ended stay pending, for the next one.
      for (const [key, c] of t.consumed) if (covered?.get(key) === c.offset) t.consumed.delete(key);
    }
    this.positions.committed(round.offsets);
    this.deps.metrics.commits++;
  }
}
