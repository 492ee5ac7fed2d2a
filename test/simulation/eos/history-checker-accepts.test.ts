/**
 * The history checker on hand-made histories: what a correct log legitimately does (skipping
 * aborted data and markers, seeks, indeterminate outcomes either way, reads during a commit) is
 * not an anomaly; the report keeps what it must; a malformed history is rejected.
 */
import { describe, expect, it } from 'vitest';
import { checkHistory, formatReport, MalformedHistoryError } from './history-checker.js';
import { HistoryRecorder } from './history-recorder.js';
import { kindsIn, threeAcked, tp, tp1 } from './history-test-fixtures.js';

describe('the history checker accepts what a correct log does', () => {
  it('a read_committed consumer skips aborted data and markers; a read_uncommitted one sees the aborted data', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp, {}, 'ok', 0);
    h.beginTxn('t1', 1);
    h.send('t1', 'x', tp, { txn: 1 }, 'ok', 1);
    h.abort('t1', 1);
    h.beginTxn('t1', 2);
    h.send('t1', 'y', tp, { txn: 2 }, 'ok', 3);
    h.commit('t1', 2);
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.poll('c1', 'read_committed', tp, [[3, 'y']]);
    h.poll('c2', 'read_uncommitted', tp, [
      [0, 'a'],
      [1, 'x'],
      [3, 'y'],
    ]);
    h.drain(tp, [
      [0, 'a'],
      [3, 'y'],
    ]);
    const report = checkHistory(h.history);
    expect(report.valid, formatReport(report)).toBe(true);
    expect(report.stats).toMatchObject({ sends: 3, acknowledged: 2, committedTxns: 1, abortedTxns: 1 });
  });

  it('a read between the commit’s invoke and its completion is not precommitted', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    h.txnEnd('commit', 'invoke', 't1', 1);
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.txnEnd('commit', 'ok', 't1', 1);
    h.drain(tp, [[0, 'a']]);
    expect(kindsIn(h.history)).toEqual([]);
  });

  it('an indeterminate commit may resolve either way, as a whole', () => {
    for (const seen of [false, true]) {
      const h = new HistoryRecorder();
      h.beginTxn('t1', 1);
      h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
      h.send('t1', 'b', tp1, { txn: 1 }, 'info');
      h.commit('t1', 1, 'info');
      h.send('p2', 'c', tp, {}, 'info');
      h.drain(tp, seen ? [[0, 'a']] : []);
      h.drain(tp1, seen ? [[0, 'b']] : []);
      expect(kindsIn(h.history), `seen: ${seen}`).toEqual([]);
    }
  });

  it('a seek, an assign or a rebalance lets a consumer go back or jump ahead', () => {
    const h = threeAcked();
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [1, 'b'],
    ]);
    h.seek('c1', tp, 0);
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.assign('c1', [tp]);
    h.poll('c1', 'read_committed', tp, [[2, 'c']]);
    h.rebalance('c1');
    h.poll('c1', 'read_committed', tp, [[1, 'b']]);
    h.seek('c1', tp, 2);
    h.poll('c1', 'read_committed', tp, [[2, 'c']]);
    h.drain(tp, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(kindsIn(h.history)).toEqual([]);
  });

  it('acknowledged values not read yet, with no drain, are counted but not flagged', () => {
    const h = threeAcked();
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    const report = checkHistory(h.history);
    expect(report.valid).toBe(true);
    expect(report.stats.unread).toBe(2);
  });
});

describe('the history checker’s report and input', () => {
  it('keeps the first anomalies of each kind and counts them all', () => {
    const h = new HistoryRecorder();
    for (const v of ['a', 'b', 'c']) h.send('p1', v, tp);
    h.drain(tp, [
      [0, 'a'],
      [1, 'a'],
      [2, 'b'],
      [3, 'b'],
      [4, 'c'],
      [5, 'c'],
    ]);
    const report = checkHistory(h.history, { maxAnomaliesPerKind: 1 });
    expect(report.counts.duplicate).toBe(3);
    expect(report.anomalies).toHaveLength(1);
    expect(formatReport(report)).toMatch(/^anomalies — duplicate: 3\ncovered: 3 sends/);
  });

  it('rejects a history that sends one value twice or completes a send never invoked', () => {
    const twice = new HistoryRecorder();
    twice.send('p1', 'a', tp);
    twice.send('p1', 'a', tp);
    expect(() => checkHistory(twice.history)).toThrow(MalformedHistoryError);
    const orphan = new HistoryRecorder();
    orphan.sendComplete('p1', 'a', 'ok', 0);
    expect(() => checkHistory(orphan.history)).toThrow(/without a pending send/);
  });
});
