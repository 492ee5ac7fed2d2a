/**
 * Restoration of one store from its changelog partition (DESIGN.md §7): the store's engine is
 * opened; its stored offset for the partition says which changelog records it already reflects;
 * restoration replays only the committed tail past it (read_committed, up to the last stable offset
 * when it starts), one atomic engine write per fetch carrying the offset after that fetch — so an
 * interrupted restoration resumes where it stopped. A store that fails to open as corrupt, holds
 * data without an offset, or has an offset outside the changelog is wiped and rebuilt from the
 * changelog's start.
 *
 * Restore the engine before building the store over it: stores read their metadata when built.
 */
import { ChangelogCorruptError, MillraceError } from '../../common/errors.js';
import { plantedBugs } from '../../common/planted-bugs.js';
import { decodeFetched } from '../../log/client/consumer/fetched-records.js';
import { changelogPartitionId } from '../changelog/changelog-topic.js';
import type { StoreEngine, WriteOp } from '../engine.js';
import type { ChangelogReader } from './changelog-reader.js';
import type { EngineSource } from './engine-source.js';
import type { RestoreEvent, RestoreListener, WipeReason } from './restore-events.js';

/**
 * Checks one changelog record before it is applied (such as the value deserializing with the
 * store's serde); throws to refuse it.
 *
 * @example
 * ```ts
 * const check: ChangelogRecordCheck = (_key, value) => { if (value !== null) serde.deserialize(topic, value); };
 * ```
 */
export type ChangelogRecordCheck = (key: Uint8Array, value: Uint8Array | null) => void;

/**
 * Options of restoreStore.
 *
 * @example
 * ```ts
 * const options: RestoreOptions = { source, reader: client, topic: 'app-counts-changelog', partition: 3, clock };
 * ```
 */
export interface RestoreOptions {
  source: EngineSource;
  reader: ChangelogReader;
  topic: string;
  partition: number;
  /** The injected clock (for the rate in progress events). */
  clock: { nowMs(): number };
  listener?: RestoreListener;
  /** Bytes per fetch; one engine write batch per fetch. Default 1 MiB. */
  maxBytesPerFetch?: number;
  /** A typed check of each record, such as valueSerdeCheck. */
  checkRecord?: ChangelogRecordCheck;
  /**
   * An engine already open over the source (a standby replica catching up, or a standby's state
   * handed to the active task that replaces it): replay continues from its stored offset instead
   * of opening the source again. Closed, like an engine the restorer opened, if restoring fails.
   */
  engine?: StoreEngine;
  /**
   * Stop after about this many records (whole fetches), leaving the rest for a later call with the
   * engine: a standby catching up in slices between rounds of processing. Default: no limit.
   */
  maxRecords?: number;
}

/**
 * What a restoration did.
 *
 * @example
 * ```ts
 * const { engine, result } = await restoreStore(options);
 * if (result.wiped !== undefined) log.warn(`rebuilt ${engine.name}: ${result.wiped}`);
 * ```
 */
export interface RestoreResult {
  /** The offset replay started from, and the one it stopped at (now stored in the engine). */
  readonly startOffset: number;
  readonly endOffset: number;
  /** Records applied. */
  readonly records: number;
  /** Why the store was wiped, when it was. */
  readonly wiped: WipeReason | undefined;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

type Applied = { offset: number; key: Uint8Array | null; value: Uint8Array | null };
const makeRecord = (
  offset: number,
  _ts: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
): Applied => ({
  offset,
  key,
  value,
});

function isOutOfRange(err: unknown): boolean {
  return err instanceof MillraceError && err.code === 'OFFSET_OUT_OF_RANGE';
}

/**
 * Opens a store's engine and brings it up to date with its changelog partition.
 *
 * @example
 * ```ts
 * const { engine, result } = await restoreStore({
 *   source: new RocksDbEngineSource({ name: 'counts', dir }),
 *   reader: client,
 *   topic: changelogTopicName('orders-app', 'counts'),
 *   partition: 3,
 *   clock,
 *   listener: (e) => console.log(e),
 *   checkRecord: valueSerdeCheck(Serdes.int64(), topic),
 * });
 * const counts = keyValueStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64() });
 * ```
 * @throws ChangelogCorruptError for a record that cannot be applied (no key, or refused by
 * `checkRecord`), naming store, partition and offset; the engine is closed and keeps what was
 * restored before it. StateStoreFailedError when the engine fails to open for a reason other than
 * corruption (such as a lock held by another process). Errors of the reader (such as
 * NotLeaderOrFollowerError): retry the restoration, which resumes where it stopped.
 */
export async function restoreStore(
  options: RestoreOptions,
): Promise<{ engine: StoreEngine; result: RestoreResult }> {
  const restorer = new Restorer(options);
  return restorer.run();
}

class Restorer {
  private readonly id: string;
  private readonly name: string;
  private wiped: WipeReason | undefined = undefined;
  /** The engine being restored (replaced when wiped). */
  private engine: StoreEngine | undefined = undefined;

  constructor(private readonly o: RestoreOptions) {
    this.id = changelogPartitionId(o.topic, o.partition);
    this.name = o.source.name;
  }

  async run(): Promise<{ engine: StoreEngine; result: RestoreResult }> {
    this.engine = this.o.engine ?? (await this.open());
    try {
      for (;;) {
        const outcome = await this.replay();
        if (outcome.kind === 'done') {
          return { engine: this.engine, result: { ...outcome.result, wiped: this.wiped } };
        }
        // Out of range twice: the log keeps moving under us (or the store cannot be rebuilt).
        if (this.wiped === 'offsetOutOfRange')
          throw outcome.error ?? new MillraceError('OFFSET_OUT_OF_RANGE', outcome.message, true);
        await this.wipe('offsetOutOfRange', outcome.message);
      }
    } catch (err) {
      await this.engine.close();
      throw err;
    }
  }

  private async open(): Promise<StoreEngine> {
    try {
      return await this.o.source.open();
    } catch (err) {
      if (!this.o.source.isCorrupt(err)) throw err;
      this.emitWiped(
        'corrupt',
        `store ${this.name} failed to open as corrupt (${(err as Error).message}); wiping it and rebuilding it from the changelog`,
      );
      await this.o.source.wipe();
      return this.o.source.open();
    }
  }

  private async wipe(reason: WipeReason, message: string): Promise<void> {
    this.emitWiped(reason, message);
    await this.engine!.close();
    await this.o.source.wipe();
    this.engine = await this.o.source.open();
  }

  private async replay(): Promise<
    | { kind: 'done'; result: Omit<RestoreResult, 'wiped'> }
    | { kind: 'outOfRange'; error: unknown; message: string }
  > {
    const { reader, topic, partition } = this.o;
    const logStart = (await reader.listOffset(topic, partition, -2)).offset;
    const logEnd = (await reader.listOffset(topic, partition, -1)).offset;
    const end = (await reader.listOffset(topic, partition, -1, 'read_committed')).offset;
    let stored = this.engine!.changelogOffsets().get(this.id);
    if (stored === undefined && this.engine!.approximateNumEntries() > 0) {
      await this.wipe(
        'noOffsets',
        `store ${this.name} holds data but no offset of changelog ${topic}-${partition}, so what it reflects is unknown; wiping it and rebuilding it from offset ${logStart}`,
      );
      stored = undefined;
    }
    if (stored !== undefined && (stored < logStart || stored > logEnd)) {
      return {
        kind: 'outOfRange',
        error: undefined,
        message:
          `store ${this.name} reflects changelog ${topic}-${partition} up to offset ${stored}, outside the changelog's ` +
          `[${logStart}, ${logEnd}] (${stored > logEnd ? 'the changelog lost data or was recreated' : 'retention removed records the store has not replayed'}); ` +
          `wiping it and rebuilding it from offset ${logStart}`,
      };
    }
    const fromScratch = stored === undefined;
    const start = stored ?? logStart;
    const total = Math.max(0, end - start);
    const startedMs = this.o.clock.nowMs();
    this.emit({
      type: 'restoreStarted',
      startOffset: start,
      endOffset: Math.max(start, end),
      total,
      fromScratch,
    });
    const engine = this.engine!;
    let position = start;
    let records = 0;
    const maxRecords = this.o.maxRecords ?? Number.POSITIVE_INFINITY;
    while (position < end && records < maxRecords) {
      let fetched: ReturnType<typeof decodeFetched<Applied>>;
      try {
        const result = await reader.fetch(topic, partition, position, {
          maxBytes: this.o.maxBytesPerFetch ?? DEFAULT_MAX_BYTES,
          isolationLevel: 'read_committed',
        });
        // Negative-control switch (common/planted-bugs.ts): aborted transactions' writes are applied.
        if (plantedBugs.applyStoreWritesBeforeCommit) result.abortedTransactions = undefined;
        fetched = decodeFetched(
          result.records,
          position,
          'read_committed',
          result.abortedTransactions === undefined ? undefined : [...result.abortedTransactions],
          makeRecord,
        );
      } catch (err) {
        if (!isOutOfRange(err)) throw err;
        return {
          kind: 'outOfRange',
          error: err,
          message: `changelog ${topic}-${partition} no longer holds offset ${position} (${(err as Error).message}); wiping store ${this.name} and rebuilding it from the changelog's start`,
        };
      }
      const ops: WriteOp[] = [];
      for (const r of fetched.records) {
        if (r.offset >= end) break;
        ops.push(this.toWrite(r));
      }
      const next = Math.min(fetched.nextOffset, end);
      if (next <= position) {
        // A fetch below the last stable offset always returns data; an empty one means the
        // partition is changing leader or being truncated: the caller retries the restoration.
        throw new MillraceError(
          'RESTORE_NO_PROGRESS',
          `restoring store ${this.name}: a fetch of ${topic}-${partition} at offset ${position} returned nothing below its end ${end}; retry the restoration (it resumes at offset ${position})`,
          true,
        );
      }
      engine.write(ops, new Map([[this.id, next]]));
      records += ops.length;
      position = next;
      const elapsedMs = Math.max(1, this.o.clock.nowMs() - startedMs);
      this.emit({
        type: 'restoreProgress',
        restored: position - start,
        total,
        records,
        ratePerSec: Math.round(((position - start) * 1000) / elapsedMs),
      });
    }
    // A store rebuilt over an empty changelog still records where it stands, so it is not "missing".
    if (engine.changelogOffsets().get(this.id) !== position) engine.write([], new Map([[this.id, position]]));
    this.emit({
      type: 'restoreEnded',
      restored: position - start,
      records,
      durationMs: this.o.clock.nowMs() - startedMs,
    });
    return { kind: 'done', result: { startOffset: start, endOffset: position, records } };
  }

  private toWrite(r: Applied): WriteOp {
    const { topic, partition } = this.o;
    if (r.key === null) {
      throw new ChangelogCorruptError(
        this.name,
        topic,
        partition,
        r.offset,
        'the record has no key (store records always have one)',
      );
    }
    if (this.o.checkRecord !== undefined) {
      try {
        this.o.checkRecord(r.key, r.value);
      } catch (cause) {
        throw new ChangelogCorruptError(this.name, topic, partition, r.offset, (cause as Error).message, {
          cause,
        });
      }
    }
    // Decoded records are views into the fetch; the engine keeps what it is given.
    return { key: r.key.slice(), value: r.value === null ? null : r.value.slice() };
  }

  private emitWiped(reason: WipeReason, message: string): void {
    this.wiped = reason;
    this.emit({ type: 'storeWiped', reason, message });
  }

  private emit(event: DistributiveOmit<RestoreEvent, 'store' | 'topic' | 'partition'>): void {
    this.o.listener?.({
      store: this.name,
      topic: this.o.topic,
      partition: this.o.partition,
      ...event,
    } as RestoreEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
