/**
 * Records a history: one method per event, plus shorthands for an operation whose invoke and
 * completion are recorded back to back. Workloads call it from their single simulation thread, so
 * the order of calls is the order of events.
 */
import type {
  History,
  HistoryEvent,
  Isolation,
  Outcome,
  ReadRecord,
  SendInvokeEvent,
  TopicPartition,
} from './history.js';

/**
 * Options of a send: its transaction (omit for non-transactional) and key.
 *
 * @example
 * ```ts
 * recorder.sendInvoke('p1', 'p1-17', tp, { txn: 3, key: 'k' });
 * ```
 */
export interface SendOptions {
  txn?: number;
  key?: string | null;
}

/**
 * Appends history events; every method returns the index of the (last) event it recorded.
 *
 * @example
 * ```ts
 * const h = new HistoryRecorder();
 * const tp = { topic: 'out', partition: 0 };
 * h.beginTxn('p1', 1);
 * h.send('p1', 'a', tp, { txn: 1 }, 'ok', 0);
 * h.commit('p1', 1, 'ok');
 * h.poll('c1', 'read_committed', tp, [[0, 'a']]);
 * h.drain(tp, [[0, 'a']]);
 * checkHistory(h.history);
 * ```
 */
export class HistoryRecorder {
  private readonly events: HistoryEvent[] = [];

  /** The events recorded so far (the recorder's own array: copy it to keep a snapshot). */
  get history(): History {
    return this.events;
  }

  /** Appends any event. */
  record(event: HistoryEvent): number {
    this.events.push(event);
    return this.events.length - 1;
  }

  /** A producer is about to send `value`. */
  sendInvoke(producer: string, value: string, tp: TopicPartition, options: SendOptions = {}): number {
    const event: SendInvokeEvent = {
      type: 'send',
      phase: 'invoke',
      producer,
      topic: tp.topic,
      partition: tp.partition,
      value,
      ...(options.txn === undefined ? {} : { txn: options.txn }),
      ...(options.key === undefined ? {} : { key: options.key }),
    };
    return this.record(event);
  }

  /** The send of `value` completed; `offset` is what an acknowledged send returned. */
  sendComplete(producer: string, value: string, phase: Outcome, offset?: number): number {
    return this.record({ type: 'send', phase, producer, value, ...(offset === undefined ? {} : { offset }) });
  }

  /** A send and its completion back to back (`pending` records the invoke only). */
  send(
    producer: string,
    value: string,
    tp: TopicPartition,
    options: SendOptions = {},
    outcome: Outcome | 'pending' = 'ok',
    offset?: number,
  ): number {
    const invoked = this.sendInvoke(producer, value, tp, options);
    return outcome === 'pending' ? invoked : this.sendComplete(producer, value, outcome, offset);
  }

  /** A transactional producer begins transaction `txn`. */
  beginTxn(producer: string, txn: number): number {
    return this.record({ type: 'txn-begin', producer, txn });
  }

  /** One event of a commit or an abort (its invoke, or a completion). */
  txnEnd(op: 'commit' | 'abort', phase: 'invoke' | Outcome, producer: string, txn: number): number {
    return this.record({ type: op === 'commit' ? 'txn-commit' : 'txn-abort', phase, producer, txn });
  }

  /** A commit's invoke and completion back to back (`pending` records the invoke only). */
  commit(producer: string, txn: number, outcome: Outcome | 'pending' = 'ok'): number {
    const invoked = this.txnEnd('commit', 'invoke', producer, txn);
    return outcome === 'pending' ? invoked : this.txnEnd('commit', outcome, producer, txn);
  }

  /** An abort's invoke and completion back to back (`pending` records the invoke only). */
  abort(producer: string, txn: number, outcome: Outcome | 'pending' = 'ok'): number {
    const invoked = this.txnEnd('abort', 'invoke', producer, txn);
    return outcome === 'pending' ? invoked : this.txnEnd('abort', outcome, producer, txn);
  }

  /** What a poll returned for one partition. */
  poll(consumer: string, isolation: Isolation, tp: TopicPartition, records: readonly ReadRecord[]): number {
    return this.record({
      type: 'poll',
      consumer,
      isolation,
      topic: tp.topic,
      partition: tp.partition,
      records,
    });
  }

  /** A consumer's next read of `tp` starts at `offset`. */
  seek(consumer: string, tp: TopicPartition, offset: number): number {
    return this.record({ type: 'seek', consumer, topic: tp.topic, partition: tp.partition, offset });
  }

  /** A consumer resumes `partitions` from positions the checker does not know. */
  assign(consumer: string, partitions: readonly TopicPartition[]): number {
    return this.record({ type: 'assign', consumer, partitions });
  }

  /** A consumer forgets every position (rebalance, restart). */
  rebalance(consumer: string): number {
    return this.record({ type: 'rebalance', consumer });
  }

  /** The final read_committed read of a whole partition. */
  drain(tp: TopicPartition, records: readonly ReadRecord[]): number {
    return this.record({ type: 'drain', topic: tp.topic, partition: tp.partition, records });
  }
}
