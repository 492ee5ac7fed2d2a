/**
 * One RocksDB engine's side of write-behind (rocksdb-writer.ts): its batches go to the helper
 * thread in order, and until the helper reports one finished, its writes (and the ranges it
 * deletes) answer reads from memory (newest batch first, over what RocksDB holds). RocksDB holds every batch before the helper counts
 * it, so a read that finds a batch counted reads RocksDB with it in, and one that does not reads
 * the batch itself: the same values either way.
 */
import { bytesId, compareBytes } from '../byte-order.js';
import type { ByteRange, WriteOp } from '../engine.js';
import { type KeyValueIterator, MappedKeyValueIterator } from '../key-value-iterator.js';
import { OverlayIterator } from '../overlay-iterator.js';
import { WriteLayer } from '../write-layer.js';
import { type RocksDbWriter, WRITE_HEADER_BYTES, WRITE_KIND } from './rocksdb-writer.js';

/**
 * Batches an engine may have outstanding before a write blocks for the oldest: a commit writes
 * one per store, so a stream thread never waits while the helper keeps up; a restore, writing as
 * fast as it reads, waits for it.
 */
const MAX_OUTSTANDING = 4;

/** A batch handed over and not yet finished: its writes, or the range it deletes. */
interface Outstanding {
  readonly seq: number;
  readonly layer: WriteLayer | null;
  readonly purge: { readonly from: Uint8Array; readonly toExclusive: Uint8Array } | null;
}

/**
 * A put into the meta column (changelog offsets, padding): key and value.
 *
 * @example
 * ```ts
 * const put: MetaPut = [Buffer.from('app-counts-changelog/0'), offsetBytes];
 * ```
 */
export type MetaPut = readonly [key: Uint8Array, value: Uint8Array];

/**
 * An engine's outstanding batches.
 *
 * @example
 * ```ts
 * const behind = new WriteBehind(RocksDbWriter.ofThisThread(), db.handle, 'offsets');
 * behind.write(ops, [[offsetKey, offsetValue]]);
 * behind.find(key); // the value the batch wrote (null: deleted), or undefined: read RocksDB
 * behind.drain(); // before closing the database
 * ```
 */
export class WriteBehind {
  private readonly outstanding: Outstanding[] = [];
  private lastSeq = 0;

  constructor(
    private readonly writer: RocksDbWriter,
    private readonly handle: bigint,
    private readonly metaColumn: string,
  ) {}

  /**
   * Hands `ops` (kept as they are until written: nobody changes them) and `meta` over as one
   * atomic batch; blocks first while MAX_OUTSTANDING batches are.
   */
  write(ops: readonly WriteOp[], meta: readonly MetaPut[]): void {
    this.reap();
    if (this.outstanding.length >= MAX_OUTSTANDING) {
      this.writer.waitFor(this.outstanding[0]!.seq);
      this.reap();
    }
    const seq = this.writer.submit(
      this.handle,
      this.metaColumn,
      encode(ops, meta),
      ops.length + meta.length,
      [],
    );
    this.outstanding.push({
      seq,
      layer: new WriteLayer(ops as WriteOp[], undefined, null, null),
      purge: null,
    });
    this.lastSeq = seq;
  }

  /** Deletes [from, toExclusive) after the batches before it; reads see the range empty at once. */
  deleteRange(from: Uint8Array, toExclusive: Uint8Array): void {
    const seq = this.writer.submit(this.handle, this.metaColumn, null, 0, [[from, toExclusive]]);
    this.outstanding.push({ seq, layer: null, purge: { from, toExclusive } });
    this.lastSeq = seq;
  }

  /** What the newest outstanding batch with `key` wrote: a value, null (deleted), or undefined (none). */
  find(key: Uint8Array, id?: string): Uint8Array | null | undefined {
    this.reap();
    const list = this.outstanding;
    if (list.length === 0) return undefined;
    const keyId = id ?? bytesId(key);
    for (let i = list.length - 1; i >= 0; i--) {
      const { layer, purge } = list[i]!;
      if (purge !== null && inRange(key, purge.from, purge.toExclusive)) return null;
      const op = layer?.get(keyId);
      if (op !== undefined) return op.value;
    }
    return undefined;
  }

  /** `base` (RocksDB's entries in `range`, opened after this call) with the outstanding writes over it. */
  overlay(
    range: ByteRange,
    base: KeyValueIterator<Uint8Array, Uint8Array>,
  ): KeyValueIterator<Uint8Array, Uint8Array> {
    let it = base;
    for (const { layer, purge } of this.outstanding) {
      if (purge !== null) {
        const { from, toExclusive } = purge;
        it = new MappedKeyValueIterator(it, (e) => (inRange(e.key, from, toExclusive) ? undefined : e));
      } else if (layer !== null && layer.ops.length > 0) {
        it = new OverlayIterator(layer.cursor(range), it, range.reverse);
      }
    }
    return it;
  }

  /** Drops the batches the helper finished (call before opening a RocksDB read that `overlay` wraps). */
  reap(): void {
    const list = this.outstanding;
    if (list.length === 0) return;
    const finished = this.writer.finished();
    let n = 0;
    while (n < list.length && list[n]!.seq <= finished) n++;
    if (n > 0) list.splice(0, n);
  }

  /** Blocks until the helper finished every batch handed over. */
  settle(): void {
    if (this.lastSeq > this.writer.finished()) this.writer.waitFor(this.lastSeq);
    this.reap();
  }

  /** settle, then the helper lets go of the database (before it closes). */
  drain(): void {
    this.settle();
    this.writer.forget(this.handle);
  }

  /** Why the helper failed, if it has (see RocksDbWriter.failure). */
  failure(): string | undefined {
    return this.writer.failure();
  }
}

function inRange(key: Uint8Array, from: Uint8Array, toExclusive: Uint8Array): boolean {
  return compareBytes(key, from) >= 0 && compareBytes(key, toExclusive) < 0;
}

/** `ops` then `meta` in the payload layout of rocksdb-writer.ts. */
function encode(ops: readonly WriteOp[], meta: readonly MetaPut[]): ArrayBuffer {
  let size = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    size += WRITE_HEADER_BYTES + op.key.length + (op.value === null ? 0 : op.value.length);
  }
  for (const [k, v] of meta) size += WRITE_HEADER_BYTES + k.length + v.length;
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  let p = 0;
  const put = (kind: number, key: Uint8Array, value: Uint8Array | null): void => {
    bytes[p] = kind;
    view.setUint32(p + 1, key.length, true);
    view.setUint32(p + 5, value === null ? 0 : value.length, true);
    p += WRITE_HEADER_BYTES;
    bytes.set(key, p);
    p += key.length;
    if (value !== null) {
      bytes.set(value, p);
      p += value.length;
    }
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    put(op.value === null ? WRITE_KIND.delete : WRITE_KIND.put, op.key, op.value);
  }
  for (const [k, v] of meta) put(WRITE_KIND.metaPut, k, v);
  return buffer;
}
