/**
 * Merges a sorted overlay of pending writes (a value, or null for a delete) over a sorted base
 * iterator, in byte order: where both hold a key the overlay wins, and an overlay delete hides the
 * base entry. This is how reads of an open transaction see its own writes, and how reads through
 * the record cache see its dirty entries.
 */
import { compareBytes } from './byte-order.js';
import { BaseKeyValueIterator, type KeyValue, type KeyValueIterator } from './key-value-iterator.js';

/**
 * A sorted source of overlay entries, such as a BTree cursor: `next()` moves to the next entry and
 * returns false at the end; `key` and `value` hold the current one.
 *
 * @example
 * ```ts
 * const overlay: OverlaySource = buffer.cursor(from, toExclusive, reverse);
 * ```
 */
export interface OverlaySource {
  next(): boolean;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  close(): void;
}

/**
 * The merged view of an overlay over a base iterator, both in the same direction.
 *
 * @example
 * ```ts
 * return new OverlayIterator(buffer.cursor(from, to, false), engine.iterator(range), false);
 * ```
 */
export class OverlayIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  private overlayKey: Uint8Array | null = null;
  private overlayValue: Uint8Array | null = null;
  private overlayDone = false;

  constructor(
    private readonly overlay: OverlaySource,
    private readonly base: KeyValueIterator<Uint8Array, Uint8Array>,
    private readonly reverse: boolean,
  ) {
    super();
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    for (;;) {
      if (this.overlayKey === null && !this.overlayDone) {
        if (this.overlay.next()) {
          this.overlayKey = this.overlay.key;
          this.overlayValue = this.overlay.value;
        } else {
          this.overlayDone = true;
        }
      }
      const base = this.base.peek();
      if (this.overlayKey === null) {
        if (base !== undefined) this.base.next();
        return base;
      }
      if (base !== undefined) {
        const c = compareBytes(base.key, this.overlayKey);
        if (this.reverse ? c > 0 : c < 0) {
          this.base.next();
          return base;
        }
        // The overlay's write replaces the base entry of the same key.
        if (c === 0) this.base.next();
      }
      const key = this.overlayKey;
      const value = this.overlayValue;
      this.overlayKey = null;
      if (value !== null) return { key, value };
    }
  }

  protected override release(): void {
    this.overlay.close();
    this.base.close();
  }
}
