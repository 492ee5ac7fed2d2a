/**
 * A store iterator over a native RocksDB iterator, read in chunks: one native call returns many
 * entries, and the chunk grows from a few entries (a prefix scan often wants one or two) to a
 * thousand (a full scan).
 */
import type { RocksIterator } from '@nxtedition/rocksdb';
import type { OpenIterators } from '../engine-iterators.js';
import { BaseKeyValueIterator, type KeyValue } from '../key-value-iterator.js';

const FIRST_CHUNK = 8;
const MAX_CHUNK = 1024;

/**
 * Entries of a native iterator, chunk by chunk.
 *
 * @example
 * ```ts
 * const it = new RocksDbIterator(db._iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' }), open);
 * ```
 */
export class RocksDbIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  private rows: Buffer[] = [];
  private pos = 0;
  private finished = false;
  private chunk = FIRST_CHUNK;
  private native: RocksIterator | null;

  constructor(
    native: RocksIterator,
    private readonly owner: OpenIterators,
  ) {
    super();
    this.native = native;
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    if (this.pos >= this.rows.length) {
      if (this.finished || this.native === null) return undefined;
      const result = this.native._nextvSync(this.chunk);
      this.rows = result.rows;
      this.pos = 0;
      this.finished = result.finished;
      this.chunk = Math.min(this.chunk * 4, MAX_CHUNK);
      if (this.rows.length === 0) return undefined;
    }
    const key = this.rows[this.pos]!;
    const value = this.rows[this.pos + 1]!;
    this.pos += 2;
    return { key, value };
  }

  protected override release(): void {
    this.rows = [];
    // Invalidation comes from the engine's close, before the database closes: still safe to call.
    this.native?._closeSync();
    this.native = null;
    this.owner.release(this);
  }
}
