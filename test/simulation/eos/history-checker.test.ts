/**
 * The history checker on hand-made histories: each anomaly alone is reported, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { checkHistory } from './history-checker.js';
import { HistoryRecorder } from './history-recorder.js';
import { kindsIn, threeAcked, tp, tp1 } from './history-test-fixtures.js';

describe('the history checker finds each anomaly alone', () => {
  it('inconsistent offsets: two consumers read different values at one offset', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp);
    h.send('p2', 'b', tp);
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.poll('c2', 'read_uncommitted', tp, [[0, 'b']]);
    const report = checkHistory(h.history);
    expect(kindsIn(h.history)).toEqual(['inconsistent-offsets']);
    expect(report.anomalies[0]).toMatchObject({ offsets: [0], values: ['a', 'b'], events: [4, 5] });
    expect(report.anomalies[0]!.message).toContain("t/0 offset 0 holds 2 values: 'a' (poll by c1");
  });

  it('duplicate: an idempotent producer’s value at two offsets, unless the producer is not idempotent', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp, {}, 'ok', 0);
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [1, 'a'],
    ]);
    h.drain(tp, [
      [0, 'a'],
      [1, 'a'],
    ]);
    expect(kindsIn(h.history)).toEqual(['duplicate']);
    expect(kindsIn(h.history, { nonIdempotentProducers: ['p1'] })).toEqual([]);
  });

  it('lost write: acknowledged at offset 0, never read, though offset 1 was read at read_committed', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp, {}, 'ok', 0);
    h.send('p1', 'b', tp, {}, 'ok', 1);
    h.poll('c1', 'read_committed', tp, [[1, 'b']]);
    const report = checkHistory(h.history);
    expect(kindsIn(h.history)).toEqual(['lost-write']);
    expect(report.anomalies[0]!.message).toContain(
      "'a' (acknowledged at event 1 at t/0 offset 0) was never read",
    );
  });

  it('lost write without offsets: a value sent after the acknowledgement was read', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok');
    h.commit('t1', 1);
    h.send('p2', 'b', tp, {}, 'ok');
    h.poll('c1', 'read_committed', tp, [[7, 'b']]);
    expect(kindsIn(h.history)).toEqual(['lost-write']);
  });

  it('unseen: read once, but missing from the drain; or acknowledged and the drain is empty', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp, {}, 'ok', 0);
    h.send('p1', 'b', tp, {}, 'ok', 1);
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [1, 'b'],
    ]);
    h.drain(tp, [[0, 'a']]);
    expect(kindsIn(h.history)).toEqual(['unseen']);

    const empty = new HistoryRecorder();
    empty.send('p1', 'a', tp, {}, 'ok', 0);
    empty.drain(tp, []);
    expect(checkHistory(empty.history).counts.unseen).toBe(1);
  });

  it('aborted read: an aborted transaction’s value read at read_committed after the abort', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    h.abort('t1', 1);
    h.send('p2', 'b', tp, {}, 'ok', 2); // offset 1 holds the abort marker
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [2, 'b'],
    ]);
    h.poll('c2', 'read_uncommitted', tp, [
      [0, 'a'],
      [2, 'b'],
    ]);
    h.drain(tp, [[2, 'b']]);
    expect(kindsIn(h.history)).toEqual(['aborted-read']);
    expect(checkHistory(h.history).counts['aborted-read']).toBe(1); // read_uncommitted may see it
  });

  it('aborted read: a never-committed transaction, an abort after an indeterminate commit, a failed send', () => {
    const neverCommitted = new HistoryRecorder();
    neverCommitted.beginTxn('t1', 1);
    neverCommitted.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    neverCommitted.drain(tp, [[0, 'a']]);
    expect(kindsIn(neverCommitted.history)).toEqual(['aborted-read']);

    const abortedAfterTimeout = new HistoryRecorder();
    abortedAfterTimeout.beginTxn('t1', 1);
    abortedAfterTimeout.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    abortedAfterTimeout.commit('t1', 1, 'info');
    abortedAfterTimeout.abort('t1', 1, 'ok');
    abortedAfterTimeout.drain(tp, [[0, 'a']]);
    expect(kindsIn(abortedAfterTimeout.history)).toEqual(['aborted-read']);

    const failed = new HistoryRecorder();
    failed.send('p1', 'a', tp, {}, 'fail');
    failed.poll('c1', 'read_uncommitted', tp, [[0, 'a']]);
    expect(kindsIn(failed.history)).toEqual(['aborted-read']);
  });

  it('precommitted read: seen at read_committed before the commit began, or before an abort', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.commit('t1', 1);
    h.drain(tp, [[0, 'a']]);
    expect(kindsIn(h.history)).toEqual(['precommitted-read']);

    const laterAborted = new HistoryRecorder();
    laterAborted.beginTxn('t1', 1);
    laterAborted.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    laterAborted.poll('c1', 'read_committed', tp, [[0, 'a']]);
    laterAborted.abort('t1', 1);
    laterAborted.drain(tp, []);
    expect(kindsIn(laterAborted.history)).toEqual(['precommitted-read']);
  });

  it('non-monotonic poll: a consumer reads an offset again without a seek', () => {
    const h = threeAcked();
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [1, 'b'],
    ]);
    h.poll('c1', 'read_committed', tp, [
      [1, 'b'],
      [2, 'c'],
    ]);
    h.drain(tp, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(kindsIn(h.history)).toEqual(['non-monotonic-poll']);
    expect(checkHistory(h.history).anomalies[0]!.message).toContain('read t/0 offset 1');
  });

  it('poll skip: a consumer jumps over a visible offset, also right after a seek', () => {
    const h = threeAcked();
    h.poll('c1', 'read_committed', tp, [[0, 'a']]);
    h.poll('c1', 'read_committed', tp, [[2, 'c']]);
    h.seek('c2', tp, 0);
    h.poll('c2', 'read_uncommitted', tp, [[1, 'b']]);
    h.drain(tp, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    const report = checkHistory(h.history);
    expect(kindsIn(h.history)).toEqual(['poll-skip']);
    expect(report.counts['poll-skip']).toBe(2);
    expect(report.anomalies[0]).toMatchObject({ offsets: [0, 2, 1], values: ['b'] });
  });

  it('non-monotonic send: a producer’s later send stored before its earlier one', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp, {}, 'ok', 1);
    h.send('p1', 'b', tp, {}, 'ok', 0);
    h.drain(tp, [
      [0, 'b'],
      [1, 'a'],
    ]);
    expect(kindsIn(h.history)).toEqual(['non-monotonic-send']);
    expect(kindsIn(h.history, { nonIdempotentProducers: ['p1'] })).toEqual([]);
  });

  it('torn transaction: an indeterminate commit only partly in the drains', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    h.send('t1', 'b', tp1, { txn: 1 }, 'ok', 0);
    h.commit('t1', 1, 'info');
    h.drain(tp, [[0, 'a']]);
    h.drain(tp1, []);
    expect(kindsIn(h.history)).toEqual(['torn-transaction']);
    expect(checkHistory(h.history).anomalies[0]!.message).toContain("'b' (t/1) missing");
  });

  it('torn transaction: a read_committed consumer read past a committed transaction and saw part of it', () => {
    const h = new HistoryRecorder();
    h.beginTxn('t1', 1);
    h.send('t1', 'a', tp, { txn: 1 }, 'ok', 0);
    h.send('t1', 'b', tp, { txn: 1 }, 'ok', 1);
    h.send('t1', 'c', tp, { txn: 1 }, 'ok', 2);
    h.commit('t1', 1);
    h.send('p2', 'd', tp, {}, 'ok', 4);
    h.poll('c1', 'read_committed', tp, [
      [0, 'a'],
      [2, 'c'],
      [4, 'd'],
    ]);
    h.poll('c2', 'read_committed', tp, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(kindsIn(h.history)).toEqual(['torn-transaction']);
  });

  it('unexpected value: a value never sent, or sent to another partition', () => {
    const h = new HistoryRecorder();
    h.send('p1', 'a', tp1, {}, 'info');
    h.drain(tp, [
      [0, 'ghost'],
      [1, 'a'],
    ]);
    const report = checkHistory(h.history);
    expect(kindsIn(h.history)).toEqual(['unexpected-value']);
    expect(report.counts['unexpected-value']).toBe(2);
    expect(report.anomalies[1]!.message).toContain('which was sent to t/1');
  });
});
