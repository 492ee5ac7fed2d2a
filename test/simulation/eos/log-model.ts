/**
 * A correct Kafka-like log as a plain model, and the histories it produces: random producers
 * (transactional or not) send, commit, abort, time out or give up on transactions; consumers at
 * either isolation level poll random amounts from their positions (read_committed stops at the
 * last stable offset and skips aborted data and markers), seek and rebalance; at the end every
 * partition is drained at read_committed. The checker must find nothing in these histories; the
 * mutations (history-mutations.ts) inject one fault each. Workloads: workload.ts.
 */
import type { History, Isolation } from './history.js';
import { HistoryRecorder } from './history-recorder.js';
import type { EndFate, ModelAction, SendFate, WorkloadSpec } from './workload.js';

/**
 * What the model knows to be true, for the mutations to aim at.
 *
 * @example
 * ```ts
 * const { facts } = runLogModel(spec);
 * [...facts.aborted].filter((v) => facts.ackOffset.has(v)); // aborted values at known offsets
 * ```
 */
export interface ModelFacts {
  /** value → the offset its send was acknowledged at. */
  ackOffset: Map<string, number>;
  /** Values that must be in the log: acknowledged non-transactional ones, and those of transactions whose commit succeeded. */
  acknowledged: Set<string>;
  /** Values of transactions that definitely aborted (abort, failed commit, timed out). */
  aborted: Set<string>;
  /** Values of committed transactions, with the history index of their send's ok. */
  committedSendOk: Map<string, number>;
  /** Per partition, one past the last offset used. */
  logEnd: number[];
}

type Entry = { kind: 'data'; value: string; txn?: string } | { kind: 'marker' };

const TOPIC = 't';

/**
 * Runs a workload against the model and returns the history it records and the model's facts.
 *
 * @example
 * ```ts
 * const { history, facts } = runLogModel(fc.sample(workloadArbitrary, 1)[0]!);
 * ```
 */
export function runLogModel(spec: WorkloadSpec): { history: History; facts: ModelFacts } {
  const model = new LogModel(spec);
  for (const action of spec.actions) model.step(action);
  return model.finish();
}

interface Producer {
  name: string;
  transactional: boolean;
  sent: number;
  txns: number;
  open?: {
    number: number;
    key: string;
    partitions: Set<number>;
    values: { value: string; okEvent: number }[];
  };
}

/** The log's partitions, transaction states and consumers' positions, recording as it goes. */
class LogModel {
  private readonly h = new HistoryRecorder();
  private readonly logs: Entry[][];
  private readonly status = new Map<string, 'open' | 'committed' | 'aborted'>();
  private readonly producers: Producer[];
  private readonly positions: Map<number, number>[];
  private readonly facts: ModelFacts = {
    ackOffset: new Map(),
    acknowledged: new Set(),
    aborted: new Set(),
    committedSendOk: new Map(),
    logEnd: [],
  };

  constructor(private readonly spec: WorkloadSpec) {
    this.logs = Array.from({ length: spec.partitions }, () => []);
    this.producers = spec.producers.map((transactional, i) => ({
      name: `${transactional ? 'tp' : 'p'}${i}`,
      transactional,
      sent: 0,
      txns: 0,
    }));
    this.positions = spec.consumers.map(() => new Map());
    const all = this.logs.map((_, p) => tp(p));
    spec.consumers.forEach((_, c) => {
      this.h.assign(`c${c}`, all);
    });
  }

  step(action: ModelAction): void {
    const producer =
      'producer' in action ? this.producers[action.producer % this.producers.length]! : undefined;
    const consumer = 'consumer' in action ? action.consumer % this.spec.consumers.length : 0;
    const partition = 'partition' in action ? action.partition % this.spec.partitions : 0;
    switch (action.kind) {
      case 'send':
        if (producer!.transactional) this.sendInTxn(producer!, partition, action.fate);
        else this.sendAlone(producer!, partition, action.fate);
        break;
      case 'end':
        this.end(producer!, action.fate);
        break;
      case 'poll':
        this.poll(consumer, partition, action.max);
        break;
      case 'seek': {
        const offset = Math.floor((action.at / 100) * (this.logs[partition]!.length + 1));
        this.positions[consumer]!.set(partition, offset);
        this.h.seek(`c${consumer}`, tp(partition), offset);
        break;
      }
      case 'rebalance':
        // The consumer resumes from positions the checker cannot know (committed offsets).
        this.h.rebalance(`c${consumer}`);
        this.logs.forEach((log, p) => {
          this.positions[consumer]!.set(p, Math.floor((action.at / 100) * (log.length + 1)));
        });
        break;
    }
  }

  /** Open transactions time out, then every partition is drained. */
  finish(): { history: History; facts: ModelFacts } {
    for (const producer of this.producers)
      if (producer.open !== undefined) this.decide(producer, 'aborted', true);
    this.logs.forEach((log, p) => {
      const records = log.flatMap((e, offset) =>
        e.kind === 'data' && this.visible(e, 'read_committed') ? [[offset, e.value] as const] : [],
      );
      this.h.drain(tp(p), records);
    });
    this.facts.logEnd = this.logs.map((log) => log.length);
    return { history: this.h.history, facts: this.facts };
  }

  private sendInTxn(producer: Producer, partition: number, fate: SendFate): void {
    const value = `${producer.name}-${producer.sent++}`;
    if (producer.open === undefined) {
      const number = ++producer.txns;
      producer.open = { number, key: `${producer.name}#${number}`, partitions: new Set(), values: [] };
      this.status.set(producer.open.key, 'open');
      this.h.beginTxn(producer.name, number);
    }
    const txn = producer.open;
    txn.partitions.add(partition);
    // A transactional send is always written (a failed one would fail the commit); its client may
    // still time out waiting for the acknowledgement.
    const offset = this.logs[partition]!.push({ kind: 'data', value, txn: txn.key }) - 1;
    const ok = fate !== 'info-written';
    const okEvent = this.h.send(
      producer.name,
      value,
      tp(partition),
      { txn: txn.number },
      ok ? 'ok' : 'info',
      ok ? offset : undefined,
    );
    if (ok) this.facts.ackOffset.set(value, offset);
    txn.values.push({ value, okEvent });
  }

  private sendAlone(producer: Producer, partition: number, fate: SendFate): void {
    const value = `${producer.name}-${producer.sent++}`;
    const written = fate === 'ok' || fate === 'info-written';
    const offset = written ? this.logs[partition]!.push({ kind: 'data', value }) - 1 : undefined;
    const outcome = fate === 'ok' ? 'ok' : fate === 'fail' ? 'fail' : 'info';
    this.h.send(
      producer.name,
      value,
      tp(partition),
      { key: `k${partition}` },
      outcome,
      outcome === 'ok' ? offset : undefined,
    );
    if (outcome === 'ok') {
      this.facts.ackOffset.set(value, offset!);
      this.facts.acknowledged.add(value);
    }
  }

  private end(producer: Producer, fate: EndFate): void {
    const txn = producer.open;
    if (txn === undefined) return;
    const name = producer.name;
    switch (fate) {
      case 'commit':
        this.h.txnEnd('commit', 'invoke', name, txn.number);
        this.decide(producer, 'committed', true);
        this.h.txnEnd('commit', 'ok', name, txn.number);
        for (const { value } of txn.values) this.facts.acknowledged.add(value);
        break;
      case 'commit-info-committed':
      case 'commit-pending':
        this.h.txnEnd('commit', 'invoke', name, txn.number);
        this.decide(producer, 'committed', false);
        if (fate === 'commit-info-committed') this.h.txnEnd('commit', 'info', name, txn.number);
        break;
      case 'commit-info-aborted':
        this.h.commit(name, txn.number, 'info');
        this.decide(producer, 'aborted', false);
        break;
      case 'commit-fail':
        this.h.commit(name, txn.number, 'fail');
        this.decide(producer, 'aborted', true);
        break;
      case 'abort':
      case 'abort-info':
        this.h.txnEnd('abort', 'invoke', name, txn.number);
        this.decide(producer, 'aborted', true);
        this.h.txnEnd('abort', fate === 'abort' ? 'ok' : 'info', name, txn.number);
        break;
      case 'abandon':
        // The producer stops; the coordinator times the transaction out and aborts it.
        this.decide(producer, 'aborted', true);
        break;
    }
  }

  /** Writes the markers that end the producer's open transaction. */
  private decide(producer: Producer, outcome: 'committed' | 'aborted', known: boolean): void {
    const txn = producer.open!;
    this.status.set(txn.key, outcome);
    for (const p of txn.partitions) this.logs[p]!.push({ kind: 'marker' });
    for (const { value, okEvent } of txn.values) {
      if (outcome === 'committed') this.facts.committedSendOk.set(value, okEvent);
      if (outcome === 'aborted' && known) this.facts.aborted.add(value);
    }
    producer.open = undefined;
  }

  /** Reads up to `max` records from the consumer's position; read_committed stops at the LSO. */
  private poll(consumer: number, partition: number, max: number): void {
    const isolation = this.spec.consumers[consumer]!;
    const log = this.logs[partition]!;
    const end = isolation === 'read_committed' ? this.lastStableOffset(log) : log.length;
    let position = this.positions[consumer]!.get(partition) ?? 0;
    const records: [number, string][] = [];
    while (position < end && records.length < max) {
      const e = log[position]!;
      if (e.kind === 'data' && this.visible(e, isolation)) records.push([position, e.value]);
      position++;
    }
    this.positions[consumer]!.set(partition, position);
    this.h.poll(`c${consumer}`, isolation, tp(partition), records);
  }

  private visible(e: Entry & { kind: 'data' }, isolation: Isolation): boolean {
    return isolation === 'read_uncommitted' || e.txn === undefined || this.status.get(e.txn) === 'committed';
  }

  /** The first offset of a transaction still open (read_committed reads stop there). */
  private lastStableOffset(log: Entry[]): number {
    const open = log.findIndex(
      (e) => e.kind === 'data' && e.txn !== undefined && this.status.get(e.txn) === 'open',
    );
    return open === -1 ? log.length : open;
  }
}

function tp(partition: number) {
  return { topic: TOPIC, partition };
}
