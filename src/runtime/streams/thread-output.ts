/**
 * A stream thread's output side (DESIGN.md §3, §7): the sink its tasks write to, the outputs that
 * wait (for room in the producer, or for the next transaction while a commit ends), and under
 * exactly_once_v2 the open transaction.
 *
 * While `held`, every output waits in order and no transaction opens: a commit is ending (its
 * EndTxn in flight) and the thread goes on processing; what it produces meanwhile belongs to the
 * next transaction, which opens once the commit settled.
 */
import type { Producer } from '../../log/client/producer/producer.js';

/**
 * One output of a task, as the sink receives it.
 *
 * @example
 * ```ts
 * const out: OutputRecord = { topic: 'counts', key, value, timestamp: 1_700_000_000_000, headers: [] };
 * ```
 */
export interface OutputRecord {
  readonly topic: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers: readonly { key: string; value: Uint8Array | null }[];
}

/**
 * The producer's side of a stream thread.
 *
 * @example
 * ```ts
 * const output = new ThreadOutput(producer, true);
 * output.begin(); // before processing a poll
 * output.append({ topic: 'out', key, value, timestamp, headers: [] }); // the tasks' sink
 * await output.drain(); // between tasks
 * ```
 */
export class ThreadOutput {
  private readonly waiting: OutputRecord[] = [];
  private open = false;
  private isHeld = false;

  constructor(
    private readonly producer: Producer,
    private readonly eos: boolean,
  ) {}

  /** Under exactly_once_v2: a transaction is open (outputs, offsets and changelogs go into it). */
  get inTransaction(): boolean {
    return this.open;
  }

  /** Outputs waiting to be appended. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The sink: the producer takes the output now, or it waits, in order, behind the others. */
  append(record: OutputRecord): void {
    if (this.isHeld || this.waiting.length > 0 || !this.producer.tryAppend(record)) this.waiting.push(record);
  }

  /** Before processing: opens a transaction (exactly_once_v2) unless one is open or outputs are held. */
  begin(): void {
    if (!this.eos || this.open || this.isHeld) return;
    this.producer.beginTransaction();
    this.open = true;
  }

  /** Appends the waiting outputs in order, each as soon as there is room; held ones stay. */
  async drain(): Promise<void> {
    while (!this.isHeld && this.waiting.length > 0) await this.producer.append(this.waiting.shift()!);
  }

  /** Holds outputs from now on: the open transaction is being committed. */
  hold(): void {
    this.isHeld = true;
  }

  /** The transaction committed: outputs may go into the next one. */
  committed(): void {
    this.open = false;
    this.isHeld = false;
  }

  /** Drops the waiting outputs and aborts the open transaction (its outcome is not awaited as an error). */
  async abort(): Promise<void> {
    this.waiting.length = 0;
    this.isHeld = false;
    if (this.eos && this.open) {
      await this.producer.abortTransaction().catch(() => undefined);
      this.open = false;
    }
  }
}
