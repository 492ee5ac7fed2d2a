/**
 * Foreign-key joins (KIP-213), the four processors: the left side subscribes each row to its
 * foreign key (unsubscribing a key it left) and answers deletes and null foreign keys itself; the
 * right side stores subscriptions by foreign key, answers each, and re-answers every subscriber
 * when its row changes; the left side joins an answer only when the hash it carries still matches
 * the hash of the current left value, so answers overtaken by a newer left value are discarded.
 * Answers carry the later of the left and right timestamps.
 */
import { type Change, change } from '../../dsl/change.js';
import type { JoinOp } from '../../dsl/join-ops.js';
import {
  foreignKeyPrefixSerde,
  type Subscription,
  type SubscriptionKey,
  type SubscriptionResponse,
} from '../../dsl/join-serdes.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import type { Serde } from '../../serdes/serde.js';
import type { TimestampedKeyValueStore } from '../../state-stores/timestamped-key-value-store.js';
import type { Forward } from './forward.js';
import { lookupGetter } from './table-value-getter.js';
import type { TaskContext } from './task-context.js';

type Op = Extract<
  JoinOp,
  { kind: 'fkSubscriptionSend' | 'fkSubscriptionReceive' | 'fkForeignUpdate' | 'fkResponseResolve' }
>;
type Joiner = (left: unknown, right: unknown, key: unknown) => unknown;

const EMPTY = new Uint8Array(0);
const isNull = (x: unknown) => x === null || x === undefined;

/**
 * A 64-bit hash of `bytes` (two FNV-1a lanes with different offsets). Collisions would only let a
 * stale answer through, so 64 bits are plenty and no crypto is needed on the hot path.
 *
 * @example
 * ```ts
 * valueHash(new Uint8Array([1, 2, 3])).length; // 8
 * ```
 */
export function valueHash(bytes: Uint8Array): Uint8Array {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x01000193) ^ (b >>> 15);
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, a >>> 0);
  view.setUint32(4, b >>> 0);
  return out;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal foreign keys: primitives by value, anything else by its JSON form. */
function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function hashOf(serde: Serde<unknown>, topic: string, value: unknown): Uint8Array {
  return valueHash(serde.serialize(topic, value) ?? EMPTY);
}

/**
 * The Forward of one FK-join processor.
 *
 * @example
 * ```ts
 * const forward = compileFkJoinOp(op, node, ctx, next, childOf);
 * ```
 * @throws nothing itself; the Forward throws what user functions, serdes and stores throw.
 */
export function compileFkJoinOp(
  op: Op,
  node: ProcessorNode,
  ctx: TaskContext,
  next: Forward,
  childOf: (name: string) => Forward,
): Forward {
  const name = node.name;
  switch (op.kind) {
    case 'fkSubscriptionSend': {
      const extract = (v: unknown) => (op.extractor as (v: unknown) => unknown)(v) ?? null;
      const register = childOf(op.registrationSink);
      const answer = childOf(op.responseSink);
      return (k, v, t, h) => {
        if (isNull(k)) {
          ctx.dropRecord(name, 'null key');
          return;
        }
        const c = v as Change<unknown>;
        const newFk = c.newValue === null ? null : extract(c.newValue);
        const oldFk = c.oldValue === null ? null : extract(c.oldValue);
        if (oldFk !== null && (newFk === null || !sameKey(oldFk, newFk))) {
          const unsubscribe: Subscription<unknown> = {
            instruction: 'unsubscribe',
            primaryKey: k,
            hash: EMPTY,
          };
          register(oldFk, unsubscribe, t, h);
        }
        // A deleted row or a null foreign key needs no right value: answer directly.
        if (c.newValue === null) {
          answer(k, { value: null, hash: null } satisfies SubscriptionResponse<unknown>, t, h);
          return;
        }
        const hash = hashOf(op.valueSerde, name, c.newValue);
        if (newFk === null) answer(k, { value: null, hash } satisfies SubscriptionResponse<unknown>, t, h);
        else
          register(
            newFk,
            { instruction: 'subscribe', primaryKey: k, hash } satisfies Subscription<unknown>,
            t,
            h,
          );
      };
    }
    case 'fkSubscriptionReceive': {
      const store = ctx.store<TimestampedKeyValueStore<SubscriptionKey<unknown, unknown>, Uint8Array>>(
        op.store,
      );
      const right = lookupGetter(ctx, op.right);
      return (fk, v, t, h) => {
        if (isNull(fk)) {
          ctx.dropRecord(name, 'null foreign key');
          return;
        }
        const s = v as Subscription<unknown>;
        const key = { foreignKey: fk, primaryKey: s.primaryKey };
        if (s.instruction === 'unsubscribe') {
          store.put(key, null);
          return;
        }
        store.put(key, { value: s.hash, timestampMs: t });
        const found = right(fk);
        const response: SubscriptionResponse<unknown> = { value: found?.value ?? null, hash: s.hash };
        next(s.primaryKey, response, found === undefined ? t : Math.max(t, found.timestampMs), h);
      };
    }
    case 'fkForeignUpdate': {
      const store = ctx.store<TimestampedKeyValueStore<SubscriptionKey<unknown, unknown>, Uint8Array>>(
        op.store,
      );
      const prefix = foreignKeyPrefixSerde(op.foreignKeySerde);
      return (fk, v, t, h) => {
        if (isNull(fk)) return;
        const newValue = (v as Change<unknown>).newValue;
        // Collect first: downstream work must not run under an open store iterator.
        const subscribers = [...store.prefixScan(fk, prefix)];
        for (const { key, value } of subscribers) {
          const response: SubscriptionResponse<unknown> = { value: newValue, hash: value.value };
          next(key.primaryKey, response, Math.max(t, value.timestampMs), h);
        }
      };
    }
    case 'fkResponseResolve': {
      const left = lookupGetter(ctx, op.left);
      const joiner = op.joiner as Joiner;
      const store =
        op.store === null ? null : ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
      return (pk, v, t, h) => {
        if (isNull(pk)) return;
        const r = v as SubscriptionResponse<unknown>;
        const current = left(pk);
        const currentHash = current === undefined ? null : hashOf(op.valueSerde, name, current.value);
        // An answer to an older left value: a newer answer is on its way.
        if (!sameBytes(currentHash, r.hash)) return;
        let joined: unknown = null;
        if (current !== undefined && (r.value !== null || op.leftJoin))
          joined = joiner(current.value, r.value, pk);
        const old = store?.get(pk);
        if (store !== null) {
          if (joined === null && old === undefined) return;
          store.put(pk, joined === null ? null : { value: joined, timestampMs: t });
        }
        next(pk, change(joined, old?.value ?? null), t, h);
      };
    }
  }
}
