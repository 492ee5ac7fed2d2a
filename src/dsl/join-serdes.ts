/**
 * The byte formats of the joins' internal stores and topics. They live in the DSL because the
 * store definitions and the FK join's internal topics carry them; every format round-trips through
 * bytes (the test driver serializes what crosses a topic). Keys that stores range over put their
 * ordering field first, in an order-preserving encoding, so byte order is the order we need.
 */
import { SerializationError } from '../common/errors.js';
import { bytesSerde } from '../serdes/bytes-serde.js';
import type { Serde } from '../serdes/serde.js';

const EMPTY = new Uint8Array(0);
const TWO_32 = 4294967296;

function bytesOf<T>(serde: Serde<T>, topic: string, value: T, what: string): Uint8Array {
  const bytes = serde.serialize(topic, value);
  if (bytes === null) throw new SerializationError(serde.name, topic, `${what} serialized to null`);
  return bytes;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function check(ok: boolean, name: string, topic: string, detail: string): void {
  if (!ok) throw new SerializationError(name, topic, detail);
}

/**
 * The key of the stream-stream join's outer store: unmatched records by timestamp, then side
 * (left first), then the record key's bytes, so a scan from the start meets the oldest first.
 *
 * @example
 * ```ts
 * const key: OuterKey = { timestampMs: 10, side: 0, key: keyBytes };
 * ```
 */
export interface OuterKey {
  readonly timestampMs: number;
  /** 0: left, 1: right. */
  readonly side: 0 | 1;
  readonly key: Uint8Array;
}

/**
 * Serde of OuterKey: 8 bytes of timestamp (big-endian, sign bit flipped so negatives sort first),
 * the side byte, the key bytes.
 *
 * @example
 * ```ts
 * outerKeySerde.deserialize('s', outerKeySerde.serialize('s', { timestampMs: 5, side: 1, key })!);
 * ```
 * @throws SerializationError from deserialize on fewer than 9 bytes.
 */
export const outerKeySerde: Serde<OuterKey> = Object.freeze({
  name: 'join-outer-key',
  serialize(_topic: string, k: OuterKey): Uint8Array {
    const out = new Uint8Array(9 + k.key.length);
    const hi = Math.floor(k.timestampMs / TWO_32);
    view(out).setUint32(0, (hi ^ 0x80000000) >>> 0);
    view(out).setUint32(4, k.timestampMs - hi * TWO_32);
    out[8] = k.side;
    out.set(k.key, 9);
    return out;
  },
  deserialize(topic: string, b: Uint8Array): OuterKey {
    check(b.length >= 9, 'join-outer-key', topic, 'shorter than 9 bytes');
    const hi = (view(b).getUint32(0) ^ 0x80000000) | 0;
    const timestampMs = hi * TWO_32 + view(b).getUint32(4);
    return { timestampMs, side: b[8] === 0 ? 0 : 1, key: b.slice(9) };
  },
});

/**
 * Serde of a list of byte strings (the values of one outer-store entry): each as a 4-byte length
 * and its bytes.
 *
 * @example
 * ```ts
 * bytesListSerde.serialize('s', [a, b]);
 * ```
 * @throws SerializationError from deserialize when a length runs past the end.
 */
export const bytesListSerde: Serde<readonly Uint8Array[]> = Object.freeze({
  name: 'bytes-list',
  serialize(_topic: string, list: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(list.reduce((n, b) => n + 4 + b.length, 0));
    let at = 0;
    for (const b of list) {
      view(out).setUint32(at, b.length);
      out.set(b, at + 4);
      at += 4 + b.length;
    }
    return out;
  },
  deserialize(topic: string, b: Uint8Array): readonly Uint8Array[] {
    const list: Uint8Array[] = [];
    for (let at = 0; at < b.length; ) {
      check(at + 4 <= b.length, 'bytes-list', topic, 'truncated length');
      const n = view(b).getUint32(at);
      check(at + 4 + n <= b.length, 'bytes-list', topic, `entry of ${n} bytes runs past the end`);
      list.push(b.slice(at + 4, at + 4 + n));
      at += 4 + n;
    }
    return list;
  },
});

/**
 * What the left side of an FK join sends to the right side, keyed by foreign key: subscribe the
 * primary key (with a hash of its current left value) or drop its subscription.
 *
 * @example
 * ```ts
 * const s: Subscription<string> = { instruction: 'subscribe', primaryKey: 'order-1', hash };
 * ```
 */
export interface Subscription<KP> {
  readonly instruction: 'subscribe' | 'unsubscribe';
  readonly primaryKey: KP;
  readonly hash: Uint8Array;
}

/**
 * Serde of Subscription: instruction byte, hash length byte, hash, primary key bytes.
 *
 * @example
 * ```ts
 * const serde = subscriptionSerde(Serdes.string());
 * ```
 * @throws SerializationError on truncated bytes or a primary key that serializes to null.
 */
export function subscriptionSerde<KP>(primaryKey: Serde<KP>): Serde<Subscription<KP>> {
  const name = `subscription(${primaryKey.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, s: Subscription<KP>): Uint8Array {
      const pk = bytesOf(primaryKey, topic, s.primaryKey, 'primary key');
      const out = new Uint8Array(2 + s.hash.length + pk.length);
      out[0] = s.instruction === 'subscribe' ? 1 : 0;
      out[1] = s.hash.length;
      out.set(s.hash, 2);
      out.set(pk, 2 + s.hash.length);
      return out;
    },
    deserialize(topic: string, b: Uint8Array): Subscription<KP> {
      check(b.length >= 2 && 2 + b[1]! <= b.length, name, topic, 'truncated subscription');
      const hashEnd = 2 + b[1]!;
      return {
        instruction: b[0] === 1 ? 'subscribe' : 'unsubscribe',
        hash: b.slice(2, hashEnd),
        primaryKey: primaryKey.deserialize(topic, b.subarray(hashEnd)),
      };
    },
  });
}

/**
 * What the right side answers, keyed by primary key: the right value (null when absent) and the
 * hash of the left value it answers (null: answers a deleted left row).
 *
 * @example
 * ```ts
 * const r: SubscriptionResponse<Customer> = { value: customer, hash };
 * ```
 */
export interface SubscriptionResponse<VO> {
  readonly value: VO | null;
  readonly hash: Uint8Array | null;
}

/**
 * Serde of SubscriptionResponse: flags byte (bit 0 value present, bit 1 hash present), hash length
 * byte, hash, value bytes.
 *
 * @example
 * ```ts
 * const serde = subscriptionResponseSerde(Serdes.json<Customer>());
 * ```
 * @throws SerializationError on truncated bytes.
 */
export function subscriptionResponseSerde<VO>(value: Serde<VO>): Serde<SubscriptionResponse<VO>> {
  const name = `subscription-response(${value.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, r: SubscriptionResponse<VO>): Uint8Array {
      const v = r.value === null ? null : value.serialize(topic, r.value);
      const hash = r.hash ?? EMPTY;
      const out = new Uint8Array(2 + hash.length + (v?.length ?? 0));
      out[0] = (v === null ? 0 : 1) | (r.hash === null ? 0 : 2);
      out[1] = hash.length;
      out.set(hash, 2);
      if (v !== null) out.set(v, 2 + hash.length);
      return out;
    },
    deserialize(topic: string, b: Uint8Array): SubscriptionResponse<VO> {
      check(b.length >= 2 && 2 + b[1]! <= b.length, name, topic, 'truncated response');
      const hashEnd = 2 + b[1]!;
      return {
        hash: b[0]! & 2 ? b.slice(2, hashEnd) : null,
        value: b[0]! & 1 ? value.deserialize(topic, b.subarray(hashEnd)) : null,
      };
    },
  });
}

/**
 * The subscription store's key: foreign key first (length-prefixed), then primary key, so a
 * prefix scan by foreign key finds every primary key subscribed to it.
 *
 * @example
 * ```ts
 * const k: SubscriptionKey<string, string> = { foreignKey: 'customer-7', primaryKey: 'order-1' };
 * ```
 */
export interface SubscriptionKey<KO, KP> {
  readonly foreignKey: KO;
  readonly primaryKey: KP;
}

/**
 * Serde of the foreign-key prefix of SubscriptionKey: 4-byte length, foreign key bytes.
 *
 * @example
 * ```ts
 * store.prefixScan('customer-7', foreignKeyPrefixSerde(Serdes.string()));
 * ```
 * @throws SerializationError on truncated bytes or a key that serializes to null.
 */
export function foreignKeyPrefixSerde<KO>(foreignKey: Serde<KO>): Serde<KO> {
  const name = `fk-prefix(${foreignKey.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, fk: KO): Uint8Array {
      const b = bytesOf(foreignKey, topic, fk, 'foreign key');
      const out = new Uint8Array(4 + b.length);
      view(out).setUint32(0, b.length);
      out.set(b, 4);
      return out;
    },
    deserialize(topic: string, b: Uint8Array): KO {
      check(b.length >= 4 && 4 + view(b).getUint32(0) <= b.length, name, topic, 'truncated prefix');
      return foreignKey.deserialize(topic, b.subarray(4, 4 + view(b).getUint32(0)));
    },
  });
}

/**
 * Serde of SubscriptionKey: the foreign-key prefix, then the primary key bytes.
 *
 * @example
 * ```ts
 * const serde = subscriptionKeySerde(Serdes.string(), Serdes.string());
 * ```
 * @throws SerializationError on truncated bytes or a key that serializes to null.
 */
export function subscriptionKeySerde<KO, KP>(
  foreignKey: Serde<KO>,
  primaryKey: Serde<KP>,
): Serde<SubscriptionKey<KO, KP>> {
  const prefix = foreignKeyPrefixSerde(foreignKey);
  const name = `subscription-key(${foreignKey.name}, ${primaryKey.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, k: SubscriptionKey<KO, KP>): Uint8Array {
      const fk = prefix.serialize(topic, k.foreignKey) as Uint8Array;
      const pk = bytesOf(primaryKey, topic, k.primaryKey, 'primary key');
      const out = new Uint8Array(fk.length + pk.length);
      out.set(fk, 0);
      out.set(pk, fk.length);
      return out;
    },
    deserialize(topic: string, b: Uint8Array): SubscriptionKey<KO, KP> {
      const foreignKey = prefix.deserialize(topic, b);
      const pkStart = 4 + view(b).getUint32(0);
      return { foreignKey, primaryKey: primaryKey.deserialize(topic, b.subarray(pkStart)) };
    },
  });
}

/**
 * The serdes of one FK join's internal topics and subscription store.
 *
 * @example
 * ```ts
 * const s = fkJoinSerdes(Serdes.string(), Serdes.string(), Serdes.json<Customer>());
 * ```
 */
export function fkJoinSerdes(
  primaryKey: Serde<unknown>,
  foreignKey: Serde<unknown>,
  rightValue: Serde<unknown>,
): {
  readonly subscription: Serde<unknown>;
  readonly response: Serde<unknown>;
  readonly subscriptionKey: Serde<unknown>;
  readonly hash: Serde<unknown>;
} {
  return {
    subscription: subscriptionSerde(primaryKey) as Serde<unknown>,
    response: subscriptionResponseSerde(rightValue) as Serde<unknown>,
    subscriptionKey: subscriptionKeySerde(foreignKey, primaryKey) as Serde<unknown>,
    hash: bytesSerde as Serde<unknown>,
  };
}
