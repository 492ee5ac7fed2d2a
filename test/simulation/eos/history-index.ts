/**
 * One pass over a history that joins what the checks need: each value's send (invoke, outcome,
 * acknowledged offset), each transaction's outcome, every observation of a value at an offset
 * (acknowledgements, polls, drains), and the drain of each partition. The checks
 * (history-*-checks.ts) only read this index.
 */
import {
  type History,
  type Isolation,
  type Outcome,
  partitionKey,
  type TxnEndEvent,
  txnKey,
} from './history.js';

/**
 * A value's send.
 *
 * @example
 * ```ts
 * index.sends.get('p1-17')?.ackOffset; // 42
 * ```
 */
export interface SendRecord {
  value: string;
  producer: string;
  /** The transaction's key (producer#txn), for transactional sends. */
  txn?: string;
  /** The partition, as `topic/partition`. */
  tp: string;
  invokeIndex: number;
  outcome: Outcome | 'pending';
  completeIndex?: number;
  /** The offset an acknowledged send returned. */
  ackOffset?: number;
}

/**
 * What became of a transaction, from its producer's point of view.
 *
 * @example
 * ```ts
 * index.txns.get('p1#3')?.outcome === 'indeterminate'; // its commit timed out
 * ```
 */
export type TxnOutcome = 'committed' | 'aborted' | 'indeterminate';

/**
 * A transaction and everything recorded about it.
 *
 * @example
 * ```ts
 * const txn = index.txns.get('p1#3')!;
 * txn.sends.map((s) => s.value);
 * ```
 */
export interface TxnRecord {
  key: string;
  sends: SendRecord[];
  commitInvoke?: number;
  commitOk?: number;
  abortInvoke?: number;
  abortOk?: number;
  outcome: TxnOutcome;
  /** Completions of its commit that failed, and that were indeterminate. */
  commitFails: number;
  commitUnknowns: number;
  /** When its end began: the first commit or abort invoke. */
  endIndex?: number;
  /** Some value of it was seen at read_committed (a poll or a drain). */
  seenCommitted: boolean;
}

/**
 * One value seen at one offset: acknowledged by a send, returned by a poll, or drained.
 *
 * @example
 * ```ts
 * index.observations.filter((o) => o.source === 'poll' && o.isolation === 'read_committed');
 * ```
 */
export interface Observation {
  tp: string;
  offset: number;
  value: string;
  event: number;
  source: 'ack' | 'poll' | 'drain';
  consumer?: string;
  isolation?: Isolation;
}

/**
 * A partition's drain: its visible records, by offset and by value.
 *
 * @example
 * ```ts
 * index.drains.get('out/0')?.offsetOf.has('p1-17');
 * ```
 */
export interface DrainView {
  events: number[];
  valueAt: Map<number, string>;
  offsetOf: Map<string, number>;
  /** The drained offsets, ascending. */
  offsets: number[];
}

/**
 * The joined history.
 *
 * @example
 * ```ts
 * const index: HistoryIndex = indexHistory(history);
 * ```
 */
export interface HistoryIndex {
  history: History;
  sends: Map<string, SendRecord>;
  txns: Map<string, TxnRecord>;
  /** Every observation, in history order. */
  observations: Observation[];
  /** tp → offset → observations there. */
  byOffset: Map<string, Map<number, Observation[]>>;
  /** value → offset → observations, on the partition the value was sent to. */
  byValue: Map<string, Map<number, Observation[]>>;
  drains: Map<string, DrainView>;
}

/**
 * The history cannot be checked: a recording bug, not an anomaly of the log.
 *
 * @example
 * ```ts
 * expect(() => checkHistory(history)).toThrow(MalformedHistoryError);
 * ```
 */
export class MalformedHistoryError extends Error {
  override readonly name = 'MalformedHistoryError';
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * Joins a history.
 *
 * @example
 * ```ts
 * const index = indexHistory(recorder.history);
 * index.txns.get('p1#3')?.outcome; // 'committed'
 * ```
 * @throws MalformedHistoryError when a value is sent twice or a send completes without an invoke.
 */
export function indexHistory(history: History): HistoryIndex {
  const sends = new Map<string, SendRecord>();
  const txns = new Map<string, TxnRecord>();
  const observations: Observation[] = [];
  const drains = new Map<string, DrainView>();
  const drainOf = (tp: string) =>
    getOrSet<string, DrainView>(drains, tp, () => ({
      events: [],
      valueAt: new Map(),
      offsetOf: new Map(),
      offsets: [],
    }));
  const txnOf = (key: string) =>
    getOrSet<string, TxnRecord>(txns, key, () => ({
      key,
      sends: [],
      outcome: 'aborted',
      seenCommitted: false,
      commitFails: 0,
      commitUnknowns: 0,
    }));

  history.forEach((e, i) => {
    switch (e.type) {
      case 'send': {
        if (e.phase === 'invoke') {
          if (sends.has(e.value))
            throw new MalformedHistoryError(`value '${e.value}' is sent twice (event ${i})`);
          const send: SendRecord = {
            value: e.value,
            producer: e.producer,
            tp: partitionKey(e),
            invokeIndex: i,
            outcome: 'pending',
            ...(e.txn === undefined ? {} : { txn: txnKey(e.producer, e.txn) }),
          };
          sends.set(e.value, send);
          if (send.txn !== undefined) txnOf(send.txn).sends.push(send);
          break;
        }
        const send = sends.get(e.value);
        if (send === undefined || send.producer !== e.producer || send.outcome !== 'pending') {
          throw new MalformedHistoryError(
            `event ${i}: a ${e.phase} of '${e.value}' by ${e.producer} without a pending send of it`,
          );
        }
        send.outcome = e.phase;
        send.completeIndex = i;
        if (e.phase === 'ok' && e.offset !== undefined) {
          send.ackOffset = e.offset;
          observations.push({ tp: send.tp, offset: e.offset, value: e.value, event: i, source: 'ack' });
        }
        break;
      }
      case 'txn-begin':
        txnOf(txnKey(e.producer, e.txn));
        break;
      case 'txn-commit':
      case 'txn-abort':
        recordEnd(txnOf(txnKey(e.producer, e.txn)), e, i);
        break;
      case 'poll':
      case 'drain':
        // An empty drain still says the partition was drained (everything acknowledged is missing).
        if (e.type === 'drain') drainOf(partitionKey(e)).events.push(i);
        for (const [offset, value] of e.records) {
          observations.push({
            tp: partitionKey(e),
            offset,
            value,
            event: i,
            source: e.type,
            ...(e.type === 'poll' ? { consumer: e.consumer, isolation: e.isolation } : {}),
          });
        }
        break;
      default:
        break;
    }
  });

  for (const txn of txns.values()) txn.outcome = outcomeOf(txn);

  const byOffset = new Map<string, Map<number, Observation[]>>();
  const byValue = new Map<string, Map<number, Observation[]>>();
  const add = (map: Map<string, Map<number, Observation[]>>, key: string, o: Observation) =>
    getOrSet(
      getOrSet(map, key, () => new Map<number, Observation[]>()),
      o.offset,
      () => [],
    ).push(o);
  for (const o of observations) {
    add(byOffset, o.tp, o);
    const send = sends.get(o.value);
    if (send?.tp !== o.tp) continue; // a value read on the wrong partition: unexpected-value
    add(byValue, o.value, o);
    if (send.txn !== undefined && (o.source === 'drain' || o.isolation === 'read_committed')) {
      txns.get(send.txn)!.seenCommitted = true;
    }
  }
  for (const o of observations) {
    if (o.source !== 'drain') continue;
    const drain = drainOf(o.tp);
    if (!drain.valueAt.has(o.offset)) drain.offsets.push(o.offset);
    drain.valueAt.set(o.offset, o.value);
    drain.offsetOf.set(o.value, o.offset);
  }
  for (const drain of drains.values()) drain.offsets.sort((a, b) => a - b);
  return { history, sends, txns, observations, byOffset, byValue, drains };
}

function recordEnd(txn: TxnRecord, e: TxnEndEvent, index: number): void {
  const commit = e.type === 'txn-commit';
  if (e.phase === 'invoke') {
    if (commit) txn.commitInvoke ??= index;
    else txn.abortInvoke ??= index;
    txn.endIndex = Math.min(txn.endIndex ?? index, index);
  } else if (e.phase === 'ok') {
    if (commit) txn.commitOk ??= index;
    else txn.abortOk ??= index;
  } else if (commit && e.phase === 'fail') {
    txn.commitFails++;
  } else if (commit) {
    txn.commitUnknowns++;
  }
}

/**
 * Committed when a commit succeeded. Aborted when it was never asked to commit (an abort, or a
 * producer that stopped: the coordinator times it out), when every commit completion was a
 * failure, or when an abort succeeded after an indeterminate commit (a coordinator refuses to
 * abort a transaction that is already committing). Indeterminate otherwise: a commit that timed
 * out may still complete.
 */
function outcomeOf(txn: TxnRecord): TxnOutcome {
  if (txn.commitOk !== undefined) return 'committed';
  if (txn.commitInvoke === undefined) return 'aborted';
  if (txn.abortOk !== undefined && txn.abortOk > txn.commitInvoke) return 'aborted';
  return txn.commitFails > 0 && txn.commitUnknowns === 0 ? 'aborted' : 'indeterminate';
}

/**
 * The one offset a value is known at on its partition (acknowledged or observed), or undefined
 * when it is unknown or ambiguous (a duplicate, reported as such).
 *
 * @example
 * ```ts
 * knownOffset(index, 'p1-17'); // 42
 * ```
 */
export function knownOffset(index: HistoryIndex, value: string): number | undefined {
  const offsets = index.byValue.get(value);
  if (offsets === undefined || offsets.size !== 1) return undefined;
  return offsets.keys().next().value;
}

/**
 * A send whose value must be in the log: an acknowledged non-transactional send, or a send of a
 * transaction whose commit succeeded (unless the send itself definitely failed).
 *
 * @example
 * ```ts
 * mustAppear(index, index.sends.get('p1-17')!); // true
 * ```
 */
export function mustAppear(index: HistoryIndex, send: SendRecord): boolean {
  if (send.txn === undefined) return send.outcome === 'ok';
  return send.outcome !== 'fail' && index.txns.get(send.txn)!.outcome === 'committed';
}

/**
 * A transaction that committed as far as readers are concerned: its commit succeeded, or it was
 * indeterminate and some of it was seen at read_committed.
 *
 * @example
 * ```ts
 * evidentlyCommitted(index.txns.get('p1#3')!);
 * ```
 */
export function evidentlyCommitted(txn: TxnRecord): boolean {
  return txn.outcome === 'committed' || (txn.outcome === 'indeterminate' && txn.seenCommitted);
}
