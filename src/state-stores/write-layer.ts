/**
 * A finished transaction's writes, held apart from the engine by the transactional layer
 * (transactional-bytes-store.ts): *sealed* while its log transaction ends (the outcome unknown,
 * the next transaction already writing above it), then *deferred* once committed, until the
 * owner writes it to the engine. Reads find its writes by key id, scans merge them in byte order;
 * both indexes are the transaction buffer's own when it had built them, else built at first use.
 */
import { bytesId } from './byte-order.js';
import type { ByteRange, ChangelogOffsets, StoreEngine, WriteOp } from './engine.js';
import { BTree } from './memory/btree.js';
import type { OverlaySource } from './overlay-iterator.js';

/**
 * One transaction's writes (one per key, null values for deletes), the changelog offsets they
 * reflect, and the key ranges it emptied after writing them.
 *
 * @example
 * ```ts
 * const layer = new WriteLayer(ops, new Map([['app-counts-changelog/0', 42]]), null, null);
 * layer.get(bytesId(key))?.value; // what the transaction wrote for key, if anything
 * layer.applyTo(engine); // the writes, with the offsets, then the emptied ranges
 * ```
 */
export class WriteLayer {
  /** Ranges emptied (purgeCommitted) after the writes, in order: applied after them. */
  readonly purges: { from: Uint8Array; toExclusive: Uint8Array }[] = [];

  constructor(
    readonly ops: WriteOp[],
    /** Set when the layer is sealed before its changelog offsets are known (see confirm). */
    public offsets: ChangelogOffsets | undefined,
    private byId: Map<string, WriteOp> | null,
    private sorted: BTree<Uint8Array | null> | null,
  ) {}

  /** The write of the key whose bytesId is `id`, if the transaction wrote it. */
  get(id: string): WriteOp | undefined {
    let byId = this.byId;
    if (byId === null) {
      byId = new Map();
      for (const op of this.ops) byId.set(op.id ?? bytesId(op.key), op);
      this.byId = byId;
    }
    return byId.get(id);
  }

  /** The writes within `range`, in its direction, as an overlay over what lies below. */
  cursor(range: ByteRange): OverlaySource {
    let sorted = this.sorted;
    if (sorted === null) {
      sorted = new BTree<Uint8Array | null>();
      for (const op of this.ops) sorted.set(op.key, op.value);
      this.sorted = sorted;
    }
    return sorted.cursor(range.from, range.toExclusive, range.reverse);
  }

  /** Writes the layer to `engine`: its writes with their offsets in one atomic write, then its purges. */
  applyTo(engine: StoreEngine): void {
    engine.write(this.ops, this.offsets);
    for (const p of this.purges) engine.deleteRange(p.from, p.toExclusive);
  }
}
