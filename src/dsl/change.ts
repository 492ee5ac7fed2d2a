/**
 * Change: what a KTable forwards — the key's new value and the value it replaces — so downstream
 * tables can update (a re-aggregation subtracts the old and adds the new). Null means "absent": a
 * new value of null is a delete. Crossing a repartition topic, a change is serialized with
 * `changeSerde` (both halves in one record, so subtract and add of one key stay atomic).
 */
import { SerializationError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';

/**
 * A table update: the new value and the old one (null when absent).
 *
 * @example
 * ```ts
 * const update: Change<number> = { newValue: 3, oldValue: 2 };
 * ```
 */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/**
 * A Change of two values.
 *
 * @example
 * ```ts
 * forward(key, change(newAgg, oldAgg), timestamp, headers);
 * ```
 * @throws nothing.
 */
export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue };
}

const FLAG_NEW = 1;
const FLAG_OLD = 2;

function writeLength(out: Uint8Array, at: number, n: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, n);
}

/**
 * A serde of changes: a flags byte (bit 0: new present, bit 1: old present), then the new value's
 * length (4 bytes, big-endian) and bytes, then the old value's bytes.
 *
 * @example
 * ```ts
 * const serde = changeSerde(Serdes.int64());
 * serde.deserialize('t', serde.serialize('t', change(2, 1))!); // { newValue: 2, oldValue: 1 }
 * ```
 * @throws SerializationError from deserialize on bytes this format cannot hold.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  const name = `change(${inner.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, c: Change<V>): Uint8Array {
      const n = c.newValue === null ? null : inner.serialize(topic, c.newValue);
      const o = c.oldValue === null ? null : inner.serialize(topic, c.oldValue);
      const nLen = n?.length ?? 0;
      const out = new Uint8Array(5 + nLen + (o?.length ?? 0));
      out[0] = (n === null ? 0 : FLAG_NEW) | (o === null ? 0 : FLAG_OLD);
      writeLength(out, 1, nLen);
      if (n !== null) out.set(n, 5);
      if (o !== null) out.set(o, 5 + nLen);
      return out;
    },
    deserialize(topic: string, bytes: Uint8Array): Change<V> {
      if (bytes.length < 5 || (bytes[0]! & ~(FLAG_NEW | FLAG_OLD)) !== 0) {
        throw new SerializationError(name, topic, 'not a change record (bad flags or shorter than 5 bytes)');
      }
      const nLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
      if (5 + nLen > bytes.length) {
        throw new SerializationError(name, topic, `new value of ${nLen} bytes runs past the record`);
      }
      const flags = bytes[0]!;
      return {
        newValue: flags & FLAG_NEW ? inner.deserialize(topic, bytes.subarray(5, 5 + nLen)) : null,
        oldValue: flags & FLAG_OLD ? inner.deserialize(topic, bytes.subarray(5 + nLen)) : null,
      };
    },
  });
}
