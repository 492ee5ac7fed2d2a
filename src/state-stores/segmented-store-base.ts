/**
 * What the window and session stores share: the StateStore lifecycle delegated to their segmented
 * bytes store, key serialization, and the live time bounds of a query.
 */
import { InvalidRecordError, StoreClosedError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { ChangelogOffsets } from './engine.js';
import { NO_STREAM_TIME, type SegmentedBytesStore } from './segmented-bytes-store.js';
import type { StateStore } from './state-store.js';

/**
 * Checks that a time is a safe integer.
 *
 * @example
 * ```ts
 * checkTime('windowStartMs', windowStartMs);
 * ```
 * @throws RangeError when it is not.
 */
export function checkTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${name} ${value} is not a safe integer (milliseconds)`);
}

/**
 * Base of the segmented stores.
 *
 * @example
 * ```ts
 * class MyWindowStore<K, V> extends SegmentedStoreBase<K> { … }
 * ```
 */
export abstract class SegmentedStoreBase<K> implements StateStore {
  constructor(
    protected readonly segments: SegmentedBytesStore,
    protected readonly keySerde: Serde<K>,
    protected readonly serdeTopic: string,
  ) {}

  get name(): string {
    return this.segments.store.name;
  }

  get persistent(): boolean {
    return this.segments.store.persistent;
  }

  get isOpen(): boolean {
    return this.segments.store.isOpen;
  }

  get uncommittedBytes(): number {
    return this.segments.store.uncommittedBytes;
  }

  get commitNeeded(): boolean {
    return this.segments.store.commitNeeded;
  }

  /** Stream time: the latest record time put (Number.MIN_SAFE_INTEGER before any). */
  get streamTimeMs(): number {
    return this.segments.streamTime;
  }

  flush(): void {
    this.checkOpen();
    this.segments.flush();
  }

  commit(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    this.segments.commit(changelogOffsets);
  }

  abort(): void {
    this.checkOpen();
    this.segments.abort();
  }

  committedOffsets(): ChangelogOffsets {
    return this.segments.store.committedOffsets();
  }

  close(): Promise<void> {
    return this.segments.store.close();
  }

  protected checkOpen(): void {
    if (!this.isOpen) throw new StoreClosedError(this.name);
  }

  /** The live part [from, to] of a query's time bounds, or undefined when nothing can match. */
  protected liveBounds(timeFromMs: number, timeToMs: number): [number, number] | undefined {
    checkTime('timeFromMs', timeFromMs);
    checkTime('timeToMs', timeToMs);
    this.checkOpen();
    if (this.segments.streamTime === NO_STREAM_TIME) return undefined;
    const from = Math.max(timeFromMs, this.segments.minLiveTime);
    const to = Math.min(timeToMs, this.segments.streamTime);
    return from > to ? undefined : [from, to];
  }

  protected keyBytes(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.serdeTopic, key);
    if (bytes === null) {
      throw new InvalidRecordError(
        `a key of store ${JSON.stringify(this.name)} serialized to null with serde ${this.keySerde.name}; stores need a key`,
      );
    }
    return bytes;
  }
}
