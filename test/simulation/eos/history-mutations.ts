/**
 * Faults injected into a correct history (from log-model.ts), one per mutation, each naming the
 * anomaly the checker must then report. A mutation returns undefined when the history offers it
 * no target (no transaction aborted, no poll with two records, …).
 */
import type { History, HistoryEvent, PollEvent, ReadRecord } from './history.js';
import type { AnomalyKind } from './history-report.js';
import type { ModelFacts } from './log-model.js';

/**
 * One kind of injected fault.
 *
 * @example
 * ```ts
 * const mutated = mutation.apply(history, facts, 3);
 * if (mutated) expect(checkHistory(mutated).counts[mutation.expect]).toBeGreaterThan(0);
 * ```
 */
export interface Mutation {
  name: string;
  /** The anomaly the checker must report after it. */
  expect: AnomalyKind;
  /** Applies the fault to the candidate `choice` picks (modulo the number of candidates). */
  apply(history: History, facts: ModelFacts, choice: number): History | undefined;
}

type Candidate = () => History;

const pick = (candidates: Candidate[], choice: number) =>
  candidates.length === 0 ? undefined : candidates[choice % candidates.length]!();

const replace = (history: History, at: number, event: HistoryEvent): History =>
  history.map((e, i) => (i === at ? event : e));

const withRecords = <E extends { records: readonly ReadRecord[] }>(
  e: E,
  records: readonly ReadRecord[],
): E => ({
  ...e,
  records,
});

/** Read events (polls, drains) and their indexes. */
function reads(history: History, type?: 'poll' | 'drain') {
  return history.flatMap((e, i) =>
    (e.type === 'poll' || e.type === 'drain') && (type === undefined || e.type === type) ? [{ e, i }] : [],
  );
}

/** One candidate per drained record whose value passes `which`: the history without that record. */
function dropFromDrains(history: History, which: (value: string) => boolean): Candidate[] {
  return reads(history, 'drain').flatMap(({ e, i }) =>
    e.records
      .filter(([, value]) => which(value))
      .map(
        (record) => () =>
          replace(
            history,
            i,
            withRecords(
              e,
              e.records.filter((r) => r !== record),
            ),
          ),
      ),
  );
}

function drainOf(history: History, partition: number) {
  return reads(history, 'drain').find(({ e }) => e.partition === partition);
}

/**
 * Every mutation, with the anomaly it must cause.
 *
 * @example
 * ```ts
 * for (const m of MUTATIONS) {
 *   const mutated = m.apply(history, facts, 7);
 *   if (mutated) expect(checkHistory(mutated).counts[m.expect]).toBeGreaterThan(0);
 * }
 * ```
 */
export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'swap the values of two acknowledged records in one read',
    expect: 'inconsistent-offsets',
    apply: (history, facts, choice) =>
      pick(
        reads(history).flatMap(({ e, i }) => {
          const acked = e.records.flatMap((r, k) => (facts.ackOffset.has(r[1]) ? [k] : []));
          return acked.slice(1).map((k, n) => () => {
            const j = acked[n]!;
            const records = [...e.records];
            records[j] = [e.records[j]![0], e.records[k]![1]];
            records[k] = [e.records[k]![0], e.records[j]![1]];
            return replace(history, i, withRecords(e, records));
          });
        }),
        choice,
      ),
  },
  {
    name: 'store a drained value a second time at the end of its partition',
    expect: 'duplicate',
    apply: (history, facts, choice) =>
      pick(
        reads(history, 'drain').flatMap(({ e, i }) =>
          e.records.map(
            ([, value]) =>
              () =>
                replace(history, i, withRecords(e, [...e.records, [facts.logEnd[e.partition]!, value]])),
          ),
        ),
        choice,
      ),
  },
  {
    name: 'drop an acknowledged value from the drain',
    expect: 'unseen',
    apply: (history, facts, choice) =>
      pick(
        dropFromDrains(history, (value) => facts.acknowledged.has(value)),
        choice,
      ),
  },
  {
    name: 'drop one value of a committed transaction of several values from the drain',
    expect: 'torn-transaction',
    apply: (history, facts, choice) =>
      pick(
        dropFromDrains(history, (value) => facts.acknowledged.has(value) && siblings(history, value) > 1),
        choice,
      ),
  },
  {
    name: 'show an aborted value in the drain',
    expect: 'aborted-read',
    apply: (history, facts, choice) =>
      pick(
        [...facts.aborted].flatMap((value) => {
          const offset = facts.ackOffset.get(value);
          const send = history.find((e) => e.type === 'send' && e.phase === 'invoke' && e.value === value);
          if (offset === undefined || send?.type !== 'send' || send.phase !== 'invoke') return [];
          const drain = drainOf(history, send.partition)!;
          const records = [...drain.e.records, [offset, value] as const].sort((a, b) => a[0] - b[0]);
          return [() => replace(history, drain.i, withRecords(drain.e, records))];
        }),
        choice,
      ),
  },
  {
    name: 'swap two records within a poll',
    expect: 'non-monotonic-poll',
    apply: (history, _facts, choice) =>
      pick(
        reads(history, 'poll').flatMap(({ e, i }) =>
          e.records.slice(1).map((_, k) => () => {
            const records = [...e.records];
            [records[k], records[k + 1]] = [records[k + 1]!, records[k]!];
            return replace(history, i, withRecords(e, records));
          }),
        ),
        choice,
      ),
  },
  {
    name: 'drop a visible record from the middle of a poll (neither first nor last)',
    expect: 'poll-skip',
    apply: (history, _facts, choice) =>
      pick(
        reads(history, 'poll').flatMap(({ e, i }) => {
          const drained = new Set(drainOf(history, e.partition)!.e.records.map((r) => r[1]));
          return e.records
            .slice(1, -1)
            .filter(([, value]) => drained.has(value))
            .map(
              (record) => () =>
                replace(
                  history,
                  i,
                  withRecords(
                    e,
                    e.records.filter((r) => r !== record),
                  ),
                ),
            );
        }),
        choice,
      ),
  },
  {
    name: "store two of a producer's consecutive sends to a partition in reverse order",
    expect: 'non-monotonic-send',
    apply: (history, facts, choice) => pick(sendSwaps(history, facts), choice),
  },
  {
    name: "read a transaction's value at read_committed before its commit began",
    expect: 'precommitted-read',
    apply: (history, facts, choice) =>
      pick(
        [...facts.committedSendOk].flatMap(([value, okEvent]) => {
          const offset = facts.ackOffset.get(value);
          const send = history[okEvent];
          const invoke = history.find((e) => e.type === 'send' && e.phase === 'invoke' && e.value === value);
          if (
            offset === undefined ||
            send?.type !== 'send' ||
            invoke?.type !== 'send' ||
            invoke.phase !== 'invoke'
          )
            return [];
          const poll: PollEvent = {
            type: 'poll',
            consumer: 'early-reader',
            isolation: 'read_committed',
            topic: invoke.topic,
            partition: invoke.partition,
            records: [[offset, value]],
          };
          return [() => [...history.slice(0, okEvent + 1), poll, ...history.slice(okEvent + 1)]];
        }),
        choice,
      ),
  },
  {
    name: 'drain a value that was never sent',
    expect: 'unexpected-value',
    apply: (history, facts, choice) =>
      pick(
        reads(history, 'drain').map(
          ({ e, i }) =>
            () =>
              replace(history, i, withRecords(e, [...e.records, [facts.logEnd[e.partition]!, 'ghost']])),
        ),
        choice,
      ),
  },
];

/** How many values the transaction of `value` sent (1 for a non-transactional value). */
function siblings(history: History, value: string): number {
  const invokes = history.filter((e) => e.type === 'send' && e.phase === 'invoke');
  const send = invokes.find((e) => e.value === value);
  if (send?.type !== 'send' || send.phase !== 'invoke' || send.txn === undefined) return 1;
  return invokes.filter(
    (e) => e.producer === send.producer && e.type === 'send' && e.phase === 'invoke' && e.txn === send.txn,
  ).length;
}

/**
 * Swaps where two consecutive acknowledged sends of one producer to one partition (in the same
 * transaction, or both outside one) are stored: in every read and acknowledgement.
 */
function sendSwaps(history: History, facts: ModelFacts): Candidate[] {
  const last = new Map<string, { value: string; txn: number | undefined }>();
  const out: Candidate[] = [];
  for (const e of history) {
    if (e.type !== 'send' || e.phase !== 'invoke') continue;
    const key = `${e.producer}/${e.partition}`;
    const before = last.get(key);
    last.set(key, { value: e.value, txn: e.txn });
    if (!facts.ackOffset.has(e.value) || before === undefined || before.txn !== e.txn) continue;
    if (!facts.ackOffset.has(before.value)) continue;
    const [a, b] = [before.value, e.value];
    const swap = (v: string) => (v === a ? b : v === b ? a : v);
    out.push(() =>
      history.map((x): HistoryEvent => {
        if (x.type === 'poll' || x.type === 'drain')
          return withRecords(
            x,
            x.records.map(([o, v]) => [o, swap(v)] as const),
          );
        if (x.type === 'send' && x.phase === 'ok' && (x.value === a || x.value === b))
          return { ...x, offset: facts.ackOffset.get(swap(x.value))! };
        return x;
      }),
    );
  }
  return out;
}
