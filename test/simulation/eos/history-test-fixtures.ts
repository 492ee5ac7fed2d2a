/**
 * Small histories shared by the checker's tests.
 */
import type { History } from './history.js';
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type CheckHistoryOptions,
  checkHistory,
} from './history-checker.js';
import { HistoryRecorder } from './history-recorder.js';

/** Partitions 0 and 1 of topic `t`. */
export const tp = { topic: 't', partition: 0 };
export const tp1 = { topic: 't', partition: 1 };

/**
 * The kinds of anomaly found.
 *
 * @example
 * ```ts
 * expect(kindsIn(h.history)).toEqual(['lost-write']);
 * ```
 */
export function kindsIn(history: History, options?: CheckHistoryOptions): AnomalyKind[] {
  const report = checkHistory(history, options);
  return ANOMALY_KINDS.filter((k) => report.counts[k] > 0);
}

/**
 * a@0, b@1, c@2 acknowledged by p1.
 *
 * @example
 * ```ts
 * const h = threeAcked();
 * h.poll('c1', 'read_committed', tp, [[0, 'a']]);
 * ```
 */
export function threeAcked(): HistoryRecorder {
  const h = new HistoryRecorder();
  h.send('p1', 'a', tp, {}, 'ok', 0);
  h.send('p1', 'b', tp, {}, 'ok', 1);
  h.send('p1', 'c', tp, {}, 'ok', 2);
  return h;
}
