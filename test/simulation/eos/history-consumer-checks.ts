/**
 * Checks of each consumer's sequence of reads of each partition: offsets only go forward
 * (non-monotonic poll), never over a record the drain shows visible (poll skip), and a
 * read_committed consumer that read past a committed transaction saw all of it (torn
 * transaction). A seek, an assign or a rebalance starts a new run of reads.
 */
import { partitionKey, type ReadRecord } from './history.js';
import { describeTxn } from './history-describe.js';
import { evidentlyCommitted, type HistoryIndex, knownOffset } from './history-index.js';
import type { AnomalySink } from './history-report.js';

/** Reads of one partition by one consumer since its position was last reset. */
interface Run {
  consumer: string;
  tp: string;
  /** Where the run started: the seek's offset, or else the first offset read. */
  start?: number;
  /** The last offset read (a seek to s counts as having read s − 1), and when. */
  prev?: { offset: number; event: number; seek: boolean };
  maxOffset: number;
  /** Each value read, at which offset and event. */
  seen: Map<string, { offset: number; event: number }>;
  /** The run's first and last poll. */
  firstEvent?: number;
  lastEvent?: number;
  readCommittedOnly: boolean;
}

/**
 * Walks the history's polls, seeks, assigns, rebalances and drains in order.
 *
 * @example
 * ```ts
 * checkConsumers(indexHistory(history), sink);
 * ```
 */
export function checkConsumers(index: HistoryIndex, sink: AnomalySink): void {
  const runs = new Map<string, Run>();
  const newRun = (consumer: string, tp: string): Run => ({
    consumer,
    tp,
    maxOffset: -1,
    seen: new Map(),
    readCommittedOnly: true,
  });
  const end = (key: string) => {
    const run = runs.get(key);
    if (run !== undefined) checkTornInRun(index, sink, run);
    runs.delete(key);
  };
  const runKey = (consumer: string, tp: string) => `${consumer}\u0000${tp}`;

  index.history.forEach((e, i) => {
    switch (e.type) {
      case 'seek': {
        const key = runKey(e.consumer, partitionKey(e));
        end(key);
        runs.set(key, {
          ...newRun(e.consumer, partitionKey(e)),
          start: e.offset,
          prev: { offset: e.offset - 1, event: i, seek: true },
        });
        break;
      }
      case 'assign':
        for (const tp of e.partitions) end(runKey(e.consumer, partitionKey(tp)));
        break;
      case 'rebalance':
        for (const [key, run] of runs) if (run.consumer === e.consumer) end(key);
        break;
      case 'poll': {
        const key = runKey(e.consumer, partitionKey(e));
        const run = runs.get(key) ?? newRun(e.consumer, partitionKey(e));
        runs.set(key, run);
        if (e.isolation !== 'read_committed') run.readCommittedOnly = false;
        read(index, sink, run, e.records, i, `consumer ${e.consumer}`);
        break;
      }
      case 'drain':
        // A drain reads from the start in one go: only its order is checked here.
        read(index, sink, newRun('drain', partitionKey(e)), e.records, i, 'the drain');
        break;
      default:
        break;
    }
  });
  for (const key of [...runs.keys()]) end(key);
}

function read(
  index: HistoryIndex,
  sink: AnomalySink,
  run: Run,
  records: readonly ReadRecord[],
  event: number,
  who: string,
): void {
  run.firstEvent ??= event;
  run.lastEvent = event;
  for (const [offset, value] of records) {
    const prev = run.prev;
    const after = prev?.seek ? `seeking to ${prev.offset + 1}` : `offset ${prev?.offset}`;
    if (prev !== undefined && offset <= prev.offset) {
      sink.add({
        kind: 'non-monotonic-poll',
        message:
          `${who} read ${run.tp} offset ${offset} ('${value}', event ${event}) after ${after} ` +
          `(event ${prev.event}), with no seek, assign or rebalance in between`,
        partitions: [run.tp],
        events: [prev.event, event],
        values: [value],
        offsets: [prev.offset, offset],
      });
    } else if (prev !== undefined && offset > prev.offset + 1) {
      const skipped = visibleBetween(index, run.tp, prev.offset, offset);
      if (skipped.length > 0) {
        const drain = index.drains.get(run.tp)!;
        const shown = skipped.slice(0, 5).map((o) => `${o} ('${drain.valueAt.get(o)}')`);
        sink.add({
          kind: 'poll-skip',
          message:
            `${who} read ${run.tp} offset ${offset} (event ${event}) after ${after} (event ${prev.event}), ` +
            `skipping ${skipped.length} offset(s) the drain shows visible: ${shown.join(', ')}` +
            (skipped.length > 5 ? ', …' : ''),
          partitions: [run.tp],
          events: [prev.event, event, ...drain.events],
          values: skipped.map((o) => drain.valueAt.get(o)!),
          offsets: [prev.offset, offset, ...skipped],
        });
      }
    }
    run.prev = { offset, event, seek: false };
    run.start ??= offset;
    run.maxOffset = Math.max(run.maxOffset, offset);
    run.seen.set(value, { offset, event });
  }
}

/** The drained offsets strictly between `from` and `to`. */
function visibleBetween(index: HistoryIndex, tp: string, from: number, to: number): number[] {
  const offsets = index.drains.get(tp)?.offsets;
  if (offsets === undefined) return [];
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < offsets.length && offsets[i]! < to; i++) out.push(offsets[i]!);
  return out;
}

/**
 * A read_committed run that covered every known offset of a committed transaction on this
 * partition must have seen all of it. Values at unknown offsets cannot be placed and are left out.
 */
function checkTornInRun(index: HistoryIndex, sink: AnomalySink, run: Run): void {
  if (!run.readCommittedOnly || run.start === undefined) return;
  const txns = new Set<string>();
  for (const value of run.seen.keys()) {
    const send = index.sends.get(value);
    if (send?.txn !== undefined && send.tp === run.tp) txns.add(send.txn);
  }
  for (const key of txns) {
    const txn = index.txns.get(key)!;
    if (!evidentlyCommitted(txn)) continue;
    const placed = txn.sends
      .filter((s) => s.tp === run.tp && s.outcome !== 'fail')
      .map((s) => ({ value: s.value, offset: knownOffset(index, s.value) }))
      .filter((s): s is { value: string; offset: number } => s.offset !== undefined);
    if (placed.length === 0) continue;
    const offsets = placed.map((s) => s.offset);
    if (Math.min(...offsets) < run.start || Math.max(...offsets) > run.maxOffset) continue;
    const missing = placed.filter((s) => !run.seen.has(s.value));
    if (missing.length === 0) continue;
    const seen = placed.filter((s) => run.seen.has(s.value));
    const list = (xs: typeof placed) => xs.map((s) => `'${s.value}'@${s.offset}`).join(', ');
    sink.add({
      kind: 'torn-transaction',
      message:
        `consumer ${run.consumer} read ${run.tp} at read_committed from offset ${run.start} to ${run.maxOffset} ` +
        `(events ${run.firstEvent}–${run.lastEvent}) and saw ${list(seen)} of ${describeTxn(txn)} ` +
        `but not ${list(missing)}`,
      partitions: [run.tp],
      events: [...new Set(seen.map((s) => run.seen.get(s.value)!.event))],
      values: placed.map((s) => s.value),
      offsets,
    });
  }
}
