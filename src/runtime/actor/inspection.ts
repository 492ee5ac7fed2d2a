/**
 * The inspection hook: every spawn, stop, send, delivery, drop, state change, failure and restart
 * in an actor system, as plain data with the clock time it happened at. Tests record it (and hash
 * it to prove a simulation deterministic); the dashboard will stream it.
 */
import { crc32c } from '../../common/crc32c.js';
import type { ActorId } from './actor-event.js';

/** One thing that happened in an actor system. */
export type InspectionEvent =
  | {
      readonly kind: 'spawn';
      readonly atMs: number;
      readonly actor: ActorId;
      readonly parent: ActorId | undefined;
    }
  | { readonly kind: 'stop'; readonly atMs: number; readonly actor: ActorId }
  | {
      readonly kind: 'send' | 'deliver' | 'drop' | 'duplicate' | 'dead-letter';
      readonly atMs: number;
      readonly from: ActorId | undefined;
      readonly to: ActorId;
      readonly event: string;
    }
  | { readonly kind: 'state'; readonly atMs: number; readonly actor: ActorId; readonly value: string }
  | { readonly kind: 'failure'; readonly atMs: number; readonly actor: ActorId; readonly error: string }
  | { readonly kind: 'restart'; readonly atMs: number; readonly actor: ActorId; readonly attempt: number }
  | { readonly kind: 'gave-up'; readonly atMs: number; readonly actor: ActorId };

/** A listener of inspection events. */
export type Inspector = (event: InspectionEvent) => void;

/**
 * Records inspection events as lines and keeps a running CRC-32C of them, so two runs can be
 * compared by hash. Keeps at most `maxLines` lines, the first and the last half (the hash covers
 * everything).
 *
 * @example
 * ```ts
 * const trace = new TraceRecorder();
 * const system = new ActorSystem({ clock, random, inspect: trace.inspector });
 * // … run …
 * expect(trace.hash()).toBe(otherRun.hash());
 * ```
 */
export class TraceRecorder {
  private crc = 0;
  private count = 0;
  /** The first half of the kept lines (how a run began) … */
  private readonly head: string[] = [];
  /** … and a ring of the latest (where a failing run ended up). */
  private readonly tail: string[] = [];
  private tailStart = 0;
  private readonly headLines: number;
  private readonly tailLines: number;

  constructor(maxLines = 10_000) {
    this.headLines = Math.ceil(maxLines / 2);
    this.tailLines = maxLines - this.headLines;
  }

  /** The hook to pass as `inspect`. */
  readonly inspector: Inspector = (event) => this.record(event);

  record(event: InspectionEvent): void {
    const line = JSON.stringify(event);
    this.crc = crc32c(Buffer.from(`${line}\n`), this.crc);
    this.count++;
    if (this.head.length < this.headLines) this.head.push(line);
    else if (this.tail.length < this.tailLines) this.tail.push(line);
    else if (this.tailLines > 0) {
      this.tail[this.tailStart] = line;
      this.tailStart = (this.tailStart + 1) % this.tailLines;
    }
  }

  /** The CRC-32C of every line so far, as 8 hex digits. */
  hash(): string {
    return this.crc.toString(16).padStart(8, '0');
  }

  /** How many events were recorded. */
  get size(): number {
    return this.count;
  }

  /**
   * The first and the last lines (maxLines in all, half each), with a line saying how many events
   * between them were left out: for a failing test to print or write to a file.
   */
  text(): string {
    const tail = [...this.tail.slice(this.tailStart), ...this.tail.slice(0, this.tailStart)];
    const omitted = this.count - this.head.length - tail.length;
    const gap = omitted > 0 ? [`… ${omitted} events left out …`] : [];
    return [...this.head, ...gap, ...tail].join('\n');
  }
}
