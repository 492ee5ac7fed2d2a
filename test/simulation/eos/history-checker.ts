/**
 * A Jepsen-style checker of a Kafka-like log's history (see history.ts for the events, and
 * REFERENCE.md "Jepsen's anomalies for Kafka-like logs"). It joins every observation of every
 * value — acknowledged offsets, polls at either isolation level, the final read_committed drain —
 * and reports each anomaly a correct log never shows, with the events, values and offsets involved.
 *
 * Indeterminate outcomes (a send or a commit that timed out) may have gone either way and are
 * never flagged by themselves; an indeterminate transaction counts as committed once any of its
 * values is seen at read_committed, and is then torn if only part of it is visible.
 */
import type { History } from './history.js';
import { checkConsumers } from './history-consumer-checks.js';
import { indexHistory, mustAppear } from './history-index.js';
import {
  checkDuplicates,
  checkInconsistentOffsets,
  checkSendOrder,
  checkUnexpectedValues,
} from './history-offset-checks.js';
import { AnomalySink, type HistoryReport } from './history-report.js';
import {
  checkAcknowledgedWrites,
  checkReadVisibility,
  checkTornInDrain,
} from './history-visibility-checks.js';

export { MalformedHistoryError } from './history-index.js';
export {
  ANOMALY_KINDS,
  type Anomaly,
  type AnomalyKind,
  formatReport,
  type HistoryReport,
  type HistoryStats,
} from './history-report.js';

/**
 * Options of {@link checkHistory}.
 *
 * @example
 * ```ts
 * checkHistory(history, { nonIdempotentProducers: ['legacy'], maxAnomaliesPerKind: 5 });
 * ```
 */
export interface CheckHistoryOptions {
  /**
   * Producers whose non-transactional sends are not idempotent, so that a retry may store a value
   * twice or out of order: duplicates and non-monotonic sends are not flagged for them.
   */
  nonIdempotentProducers?: Iterable<string>;
  /** Anomalies kept per kind in `anomalies` (counts are always complete). Default 20. */
  maxAnomaliesPerKind?: number;
}

/**
 * Checks a history for Jepsen's anomalies of Kafka-like logs: inconsistent offsets, duplicates,
 * lost and unseen writes, aborted and precommitted reads, non-monotonic polls and poll skips,
 * non-monotonic sends, torn transactions, and values read that were never sent there.
 *
 * @example
 * ```ts
 * const h = new HistoryRecorder();
 * const tp = { topic: 'out', partition: 0 };
 * h.send('p1', 'a', tp, {}, 'ok', 0);
 * h.beginTxn('t1', 1);
 * h.send('t1', 'b', tp, { txn: 1 }, 'ok', 1);
 * h.abort('t1', 1);
 * h.poll('c1', 'read_committed', tp, [[0, 'a'], [1, 'b']]); // b was aborted
 * h.drain(tp, [[0, 'a']]);
 * const report = checkHistory(h.history);
 * report.counts['aborted-read']; // 1
 * expect(report.valid, formatReport(report)).toBe(true); // fails, printing every anomaly
 * ```
 * @throws MalformedHistoryError when the history is not one a recorder could produce (a value
 * sent twice, a send completed without an invoke).
 */
export function checkHistory(history: History, options: CheckHistoryOptions = {}): HistoryReport {
  const index = indexHistory(history);
  const sink = new AnomalySink(options.maxAnomaliesPerKind ?? 20);
  const nonIdempotent = new Set(options.nonIdempotentProducers ?? []);

  checkInconsistentOffsets(index, sink);
  checkDuplicates(index, sink, nonIdempotent);
  checkUnexpectedValues(index, sink);
  checkSendOrder(index, sink, nonIdempotent);
  checkReadVisibility(index, sink);
  const unread = checkAcknowledgedWrites(index, sink);
  checkTornInDrain(index, sink);
  checkConsumers(index, sink);

  const txns = [...index.txns.values()];
  let polls = 0;
  let polledRecords = 0;
  let drainedRecords = 0;
  for (const e of history) {
    if (e.type === 'poll') {
      polls++;
      polledRecords += e.records.length;
    } else if (e.type === 'drain') {
      drainedRecords += e.records.length;
    }
  }
  return {
    valid: sink.anomalies.length === 0,
    counts: sink.counts,
    anomalies: sink.anomalies,
    stats: {
      sends: index.sends.size,
      acknowledged: [...index.sends.values()].filter((s) => mustAppear(index, s)).length,
      committedTxns: txns.filter((t) => t.outcome === 'committed').length,
      abortedTxns: txns.filter((t) => t.outcome === 'aborted').length,
      indeterminateTxns: txns.filter((t) => t.outcome === 'indeterminate').length,
      polls,
      polledRecords,
      drainedRecords,
      unread,
    },
  };
}
