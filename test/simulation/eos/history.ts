/**
 * The events a Jepsen-style workload records against the log: producers' sends and transactions,
 * consumers' polls and the events that legitimately move a consumer's position, and a final
 * read_committed drain of every partition. A history is the array of events in the order they
 * happened (one thread records them, so the array index is the time); the checker
 * (history-checker.ts) looks for the anomalies a correct log never shows.
 *
 * Operations that can fail or time out are recorded Jepsen's way: an `invoke` before the call,
 * then one completion — `ok` (it happened), `fail` (it definitely did not happen) or `info`
 * (indeterminate: it may or may not have happened; a missing completion means the same).
 * Values must be unique across the history: the checker follows each value through the log.
 */

/**
 * A completion: `ok` happened, `fail` definitely did not, `info` may have happened or not.
 *
 * @example
 * ```ts
 * const timedOut: Outcome = 'info';
 * ```
 */
export type Outcome = 'ok' | 'fail' | 'info';

/**
 * The isolation level a consumer fetched at.
 *
 * @example
 * ```ts
 * const isolation: Isolation = 'read_committed';
 * ```
 */
export type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * One record returned by a poll or the drain: its offset and its (unique) value.
 *
 * @example
 * ```ts
 * const r: ReadRecord = [42, 'p1-17'];
 * ```
 */
export type ReadRecord = readonly [offset: number, value: string];

/**
 * A topic-partition.
 *
 * @example
 * ```ts
 * const tp: TopicPartition = { topic: 'out', partition: 0 };
 * ```
 */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * A producer is about to send `value` to a partition. `txn` names the producer's transaction
 * (omitted for a non-transactional send).
 *
 * @example
 * ```ts
 * const e: SendInvokeEvent = { type: 'send', phase: 'invoke', producer: 'p1', txn: 3,
 *   topic: 'out', partition: 0, key: 'k', value: 'p1-17' };
 * ```
 */
export interface SendInvokeEvent extends TopicPartition {
  readonly type: 'send';
  readonly phase: 'invoke';
  readonly producer: string;
  readonly txn?: number;
  readonly key?: string | null;
  readonly value: string;
}

/**
 * The completion of a send, matched to its invoke by `value`. An acknowledged (`ok`) idempotent or
 * transactional send returns the `offset` it was stored at; `info` is a timeout or a lost
 * connection (the record may be in the log or not).
 *
 * @example
 * ```ts
 * const e: SendCompleteEvent = { type: 'send', phase: 'ok', producer: 'p1', value: 'p1-17', offset: 42 };
 * ```
 */
export interface SendCompleteEvent {
  readonly type: 'send';
  readonly phase: Outcome;
  readonly producer: string;
  readonly value: string;
  readonly offset?: number;
}

/**
 * A transactional producer begins transaction `txn` (numbers are per producer; the checker keys a
 * transaction by producer and number).
 *
 * @example
 * ```ts
 * const e: TxnBeginEvent = { type: 'txn-begin', producer: 'p1', txn: 3 };
 * ```
 */
export interface TxnBeginEvent {
  readonly type: 'txn-begin';
  readonly producer: string;
  readonly txn: number;
}

/**
 * A commit or abort of transaction `txn`: an `invoke`, then `ok`, `fail` or `info`. The commit's
 * invoke is when the transaction's writes may start to be visible at read_committed. A failed
 * commit means aborted; an indeterminate one (`info`, or no completion) may have gone either way.
 *
 * @example
 * ```ts
 * const e: TxnEndEvent = { type: 'txn-commit', phase: 'info', producer: 'p1', txn: 3 };
 * ```
 */
export interface TxnEndEvent {
  readonly type: 'txn-commit' | 'txn-abort';
  readonly phase: 'invoke' | Outcome;
  readonly producer: string;
  readonly txn: number;
}

/**
 * What one poll returned for one partition, in the order returned (a poll spanning several
 * partitions is recorded as one event per partition, empty ones may be left out).
 *
 * @example
 * ```ts
 * const e: PollEvent = { type: 'poll', consumer: 'c1', isolation: 'read_committed',
 *   topic: 'out', partition: 0, records: [[41, 'p2-3'], [42, 'p1-17']] };
 * ```
 */
export interface PollEvent extends TopicPartition {
  readonly type: 'poll';
  readonly consumer: string;
  readonly isolation: Isolation;
  readonly records: readonly ReadRecord[];
}

/**
 * A consumer seeks: its next read of the partition starts at `offset` (records it skips over are
 * not a poll skip, but any committed record from `offset` on must be returned).
 *
 * @example
 * ```ts
 * const e: SeekEvent = { type: 'seek', consumer: 'c1', topic: 'out', partition: 0, offset: 40 };
 * ```
 */
export interface SeekEvent extends TopicPartition {
  readonly type: 'seek';
  readonly consumer: string;
  readonly offset: number;
}

/**
 * A consumer is assigned partitions (manually, or by a rebalance) and resumes them from positions
 * the checker does not know (committed offsets or the reset policy).
 *
 * @example
 * ```ts
 * const e: AssignEvent = { type: 'assign', consumer: 'c1', partitions: [{ topic: 'out', partition: 0 }] };
 * ```
 */
export interface AssignEvent {
  readonly type: 'assign';
  readonly consumer: string;
  readonly partitions: readonly TopicPartition[];
}

/**
 * A rebalance (or a restart) of a consumer: every position it had is forgotten.
 *
 * @example
 * ```ts
 * const e: RebalanceEvent = { type: 'rebalance', consumer: 'c1' };
 * ```
 */
export interface RebalanceEvent {
  readonly type: 'rebalance';
  readonly consumer: string;
}

/**
 * The final read of a whole partition at read_committed, from its first offset to its end, once
 * every transaction is decided: the complete list of visible records in offset order.
 *
 * @example
 * ```ts
 * const e: DrainEvent = { type: 'drain', topic: 'out', partition: 0, records: [[0, 'p1-0'], [2, 'p2-0']] };
 * ```
 */
export interface DrainEvent extends TopicPartition {
  readonly type: 'drain';
  readonly records: readonly ReadRecord[];
}

/**
 * Any event of a history, discriminated by `type` (and, for sends, `phase`).
 *
 * @example
 * ```ts
 * const polled = (e: HistoryEvent) => (e.type === 'poll' ? e.records.length : 0);
 * ```
 */
export type HistoryEvent =
  | SendInvokeEvent
  | SendCompleteEvent
  | TxnBeginEvent
  | TxnEndEvent
  | PollEvent
  | SeekEvent
  | AssignEvent
  | RebalanceEvent
  | DrainEvent;

/**
 * The events in the order they happened; an event's index is its time.
 *
 * @example
 * ```ts
 * const history: History = [
 *   { type: 'send', phase: 'invoke', producer: 'p1', topic: 'out', partition: 0, value: 'a' },
 *   { type: 'send', phase: 'ok', producer: 'p1', value: 'a', offset: 0 },
 *   { type: 'drain', topic: 'out', partition: 0, records: [[0, 'a']] },
 * ];
 * ```
 */
export type History = readonly HistoryEvent[];

/**
 * The key of a topic-partition in maps and messages.
 *
 * @example
 * ```ts
 * partitionKey({ topic: 'out', partition: 2 }); // 'out/2'
 * ```
 */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}

/**
 * The key of a transaction: its producer and number.
 *
 * @example
 * ```ts
 * txnKey('p1', 3); // 'p1#3'
 * ```
 */
export function txnKey(producer: string, txn: number): string {
  return `${producer}#${txn}`;
}
