/**
 * The versioned key-value store on either engine. The latest version of each key sits under its
 * own key for a point read; older versions sit under (key, timestamp), found by a one-entry range
 * scan. An expiry index, ordered by the time each version stops being readable, lets each commit
 * delete exactly the versions that have left the history retention, with no scan of the rest.
 * Stream time is committed with the data, so a reopened store resumes with it.
 */
import { InvalidRecordError, StoreClosedError } from '../../common/errors.js';
import type { Serde } from '../../serdes/serde.js';
import type { ChangelogOffsets } from '../engine.js';
import { escapedKey, readOrderedInt64, writeOrderedInt64 } from '../key-encoding.js';
import type { KeyValueBytesStore } from '../key-value-bytes-store.js';
import { NO_STREAM_TIME } from '../segmented-bytes-store.js';
import { checkTime } from '../segmented-store-base.js';
import type { VersionedStoreConfig } from './versioned-config.js';
import {
  expiredIndexBounds,
  historyBounds,
  historyKey,
  historyKeyTimestamp,
  historyValue,
  indexKey,
  latestKey,
  latestValue,
  META_KEY,
  parseHistoryValue,
  parseIndexKey,
  parseLatestValue,
  type StoredVersion,
} from './versioned-key-schema.js';
import {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from './versioned-store.js';

const EMPTY = new Uint8Array(0);

/**
 * A VersionedKeyValueStore<K, V> over a (transactional) bytes store.
 *
 * @example
 * ```ts
 * const store = versionedKeyValueStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64(),
 *   config: { historyRetentionMs: 3_600_000 } });
 * store.put('alice', 1, 1000);
 * ```
 * @throws StoreClosedError once closed; SerializationError on keys or values the serdes reject.
 */
export class VersionHistoryStore<K, V> implements VersionedKeyValueStore<K, V> {
  private observed = NO_STREAM_TIME;
  private committedObserved = NO_STREAM_TIME;

  constructor(
    private readonly store: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly config: VersionedStoreConfig,
    private readonly serdeTopic: string,
  ) {
    const meta = store.get(META_KEY);
    if (meta !== undefined) this.observed = this.committedObserved = readOrderedInt64(meta, 0);
  }

  get name(): string {
    return this.store.name;
  }

  get persistent(): boolean {
    return this.store.persistent;
  }

  get isOpen(): boolean {
    return this.store.isOpen;
  }

  get uncommittedBytes(): number {
    return this.store.uncommittedBytes;
  }

  get commitNeeded(): boolean {
    return this.store.commitNeeded;
  }

  get streamTimeMs(): number {
    return this.observed;
  }

  /** Versions valid at or after this time stay readable. */
  private get minReadableTime(): number {
    return this.observed === NO_STREAM_TIME ? NO_STREAM_TIME : this.observed - this.config.historyRetentionMs;
  }

  put(key: K, value: V | null, timestampMs: number): number {
    checkVersionTime('timestampMs', timestampMs);
    const k = this.keyBytes(key);
    const v = value === null ? null : this.valueSerde.serialize(this.serdeTopic, value);
    this.checkOpen();
    if (timestampMs < this.minReadableTime) return PUT_RETURN_CODE_NOT_PUT;
    if (timestampMs > this.observed) this.observed = timestampMs;
    const esc = escapedKey(k);
    const latest = this.latest(k);
    if (latest === undefined || timestampMs >= latest.timestampMs) {
      if (latest !== undefined && latest.value === null) {
        this.store.delete(indexKey(latest.timestampMs + 1, esc, latest.timestampMs));
      }
      if (latest !== undefined && timestampMs > latest.timestampMs) {
        // The latest version becomes history, readable until the new one starts.
        this.store.put(historyKey(esc, latest.timestampMs), historyValue(latest.value));
        this.store.put(indexKey(timestampMs, esc, latest.timestampMs), EMPTY);
      }
      this.store.put(latestKey(k), latestValue({ timestampMs, value: v }));
      // A latest delete can go (with everything older) once it is itself out of the retention.
      if (v === null) this.store.put(indexKey(timestampMs + 1, esc, timestampMs), EMPTY);
      return PUT_RETURN_CODE_VALID_TO_UNDEFINED;
    }
    const predecessor = this.historyAtOrBefore(esc, timestampMs);
    const validTo = this.nextTimestamp(esc, timestampMs, latest.timestampMs);
    if (predecessor === undefined || predecessor.timestampMs !== timestampMs) {
      this.store.put(indexKey(validTo, esc, timestampMs), EMPTY);
      if (predecessor !== undefined) {
        // The version before now ends where the new one starts.
        this.store.delete(indexKey(validTo, esc, predecessor.timestampMs));
        this.store.put(indexKey(timestampMs, esc, predecessor.timestampMs), EMPTY);
      }
    }
    this.store.put(historyKey(esc, timestampMs), historyValue(v));
    return validTo;
  }

  delete(key: K, timestampMs: number): VersionedRecord<V> | undefined {
    const existing = this.get(key, timestampMs);
    this.put(key, null, timestampMs);
    return existing;
  }

  get(key: K, asOfTimestampMs?: number): VersionedRecord<V> | undefined {
    const k = this.keyBytes(key);
    this.checkOpen();
    const latest = this.latest(k);
    if (asOfTimestampMs === undefined)
      return latest === undefined ? undefined : this.record(latest, undefined);
    checkVersionTime('asOfTimestampMs', asOfTimestampMs);
    if (asOfTimestampMs < this.minReadableTime) return undefined;
    if (latest !== undefined && latest.timestampMs <= asOfTimestampMs) return this.record(latest, undefined);
    const esc = escapedKey(k);
    const version = this.historyAtOrBefore(esc, asOfTimestampMs);
    if (version === undefined) return undefined;
    return this.record(version, this.nextTimestamp(esc, version.timestampMs, latest?.timestampMs));
  }

  /**
   * Deletes the versions that left the history retention and writes the stream time, so that
   * everything the commit will apply is in the transaction buffer now (the changelog sends it
   * before the commit).
   */
  flush(): void {
    this.checkOpen();
    this.prepareCommitWrites();
    this.store.flush();
  }

  /** Deletes the versions that left the history retention, then commits with the stream time. */
  commit(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    this.prepareCommitWrites();
    this.store.commit(changelogOffsets);
    this.committedObserved = this.observed;
  }

  abort(): void {
    this.checkOpen();
    this.store.abort();
    this.observed = this.committedObserved;
  }

  committedOffsets(): ChangelogOffsets {
    return this.store.committedOffsets();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private prepareCommitWrites(): void {
    this.removeExpired();
    if (this.observed !== this.committedObserved) {
      const meta = new Uint8Array(8);
      writeOrderedInt64(meta, 0, this.observed);
      this.store.put(META_KEY, meta);
    }
  }

  private removeExpired(): void {
    if (this.observed === NO_STREAM_TIME) return;
    const it = this.store.iterate({ ...expiredIndexBounds(this.minReadableTime), reverse: false });
    const expired: Uint8Array[] = [];
    for (const { key } of it) expired.push(key);
    for (const entry of expired) {
      const { key, escaped, timestampMs } = parseIndexKey(entry);
      const latest = this.latest(key);
      if (latest !== undefined && latest.timestampMs === timestampMs) this.store.delete(latestKey(key));
      else this.store.delete(historyKey(escaped, timestampMs));
      this.store.delete(entry);
    }
  }

  private latest(key: Uint8Array): StoredVersion | undefined {
    const bytes = this.store.get(latestKey(key));
    return bytes === undefined ? undefined : parseLatestValue(bytes);
  }

  /** The older version with the greatest timestamp <= `timestampMs`. */
  private historyAtOrBefore(esc: Uint8Array, timestampMs: number): StoredVersion | undefined {
    const it = this.store.iterate({ ...historyBounds(esc, null, timestampMs + 1), reverse: true });
    const first = it.peek();
    it.close();
    return first === undefined
      ? undefined
      : { timestampMs: historyKeyTimestamp(first.key), value: parseHistoryValue(first.value) };
  }

  /** The timestamp of the first version after `timestampMs`: an older one, else the latest. */
  private nextTimestamp(esc: Uint8Array, timestampMs: number, latestMs: number | undefined): number {
    const it = this.store.iterate({ ...historyBounds(esc, timestampMs + 1, null), reverse: false });
    const next = it.peek();
    it.close();
    return next === undefined
      ? (latestMs ?? PUT_RETURN_CODE_VALID_TO_UNDEFINED)
      : historyKeyTimestamp(next.key);
  }

  private record(version: StoredVersion, validToMs: number | undefined): VersionedRecord<V> | undefined {
    if (version.value === null) return undefined;
    return {
      value: this.valueSerde.deserialize(this.serdeTopic, version.value),
      timestampMs: version.timestampMs,
      validToMs,
    };
  }

  private checkOpen(): void {
    if (!this.isOpen) throw new StoreClosedError(this.name);
  }

  private keyBytes(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.serdeTopic, key);
    if (bytes === null) {
      throw new InvalidRecordError(
        `a key of store ${JSON.stringify(this.name)} serialized to null with serde ${this.keySerde.name}; stores need a key`,
      );
    }
    return bytes;
  }
}

/** Versioned timestamps are non-negative, so that -1 stays free to mean "valid to: undefined". */
function checkVersionTime(name: string, value: number): void {
  checkTime(name, value);
  if (value < 0 || value >= Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `${name} ${value} must be from 0 to 2^53 - 2 (versioned stores take no negative times)`,
    );
  }
}
