/**
 * Model-based test of the transaction coordinator's decisions (txn-transitions.ts): random
 * sequences of producer incarnations of one transactional id initialising, adding partitions,
 * committing and aborting, retrying their last EndTxn, sending stale requests (a zombie's, or a
 * delayed one), stores that fail, markers completing, time passing (timeouts) and the state being
 * stored and loaded again — against a model that tracks which incarnation holds the current
 * epoch and what the transaction is.
 *
 * Checked after every command: the answer is the one the model predicts (and a refused request
 * changes nothing); only the incarnation holding the current epoch ever acts; a retried EndTxn is
 * answered as the first time and acts again never; a transaction prepared to commit completes as a
 * commit and never aborts (and the other way round); the markers carry an epoch above every epoch
 * the transaction's data was written with; epochs given to producers stay within 0..32766, and
 * the (producer id, epoch) pair never goes back.
 *
 * A failure prints fast-check's seed, path and the commands' replayPath; pass them back to replay.
 * MODEL_RUNS sets the number of runs (default 300).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoordinatorNotAvailableError } from '../../../../src/common/kafka-errors.js';
import {
  ConcurrentTransactionsError,
  InvalidProducerIdMappingError,
  InvalidTxnStateError,
  ProducerFencedError,
} from '../../../../src/common/transaction-errors.js';
import {
  completeTransaction,
  decideTimeoutAbort,
} from '../../../../src/log/coordinator/transaction/txn-lifecycle.js';
import {
  type DurableTxnState,
  MAX_PRODUCER_EPOCH,
  type TxnMetadata,
} from '../../../../src/log/coordinator/transaction/txn-metadata.js';
import type { ProducerIdAndEpoch } from '../../../../src/log/coordinator/transaction/txn-requests.js';
import {
  decodeTransactionStateValue,
  encodeTransactionStateValue,
} from '../../../../src/log/coordinator/transaction/txn-state-records.js';
import {
  decideTransactionRequest,
  type TxnDecisionRequest,
} from '../../../../src/log/coordinator/transaction/txn-transitions.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 300);
const ID = 'app-1';
const TIMEOUT_MS = 10_000;
const POOL = 4;
const PARTITIONS = ['a-0', 'a-1', 'b-0'];

interface LastEnd {
  readonly request: { producerId: number; producerEpoch: number; committed: boolean };
  readonly answer: ProducerIdAndEpoch;
  readonly seq: number;
}

interface Client {
  producer: ProducerIdAndEpoch | undefined;
  lastEnd: LastEnd | undefined;
}

interface Model {
  clients: Client[];
  /** The client holding the current epoch, -1 when none does (fenced by the coordinator). */
  holder: number;
  state: 'none' | DurableTxnState;
  /** The current producer id and epoch as the coordinator gives them. */
  current: ProducerIdAndEpoch | undefined;
  partitions: Set<string>;
  startMs: number;
  /** The EndTxn that brought the current Prepare* or Complete* state, if a client's did. */
  endSeq: number | undefined;
  nextSeq: number;
  /** Epochs the open transaction's partitions were added with. */
  addEpochs: number[];
}

interface Real {
  meta: TxnMetadata | undefined;
  now: number;
  ids: { next: number };
  /** Every (producer id, epoch) the coordinator stored, in order. */
  history: ProducerIdAndEpoch[];
}

type Cmd = fc.Command<Model, Real>;

interface Outcome {
  ok: boolean;
  result?: unknown;
  error?: Error;
}

/** Decides and, unless the store is to fail, stores: the coordinator's actor in one step. */
function exec(real: Real, request: TxnDecisionRequest, storeFails = false): Outcome {
  const decision = decideTransactionRequest(real.meta, request, {
    nowMs: real.now,
    transactionMaxTimeoutMs: 60_000,
    offsetsTopicPartitions: 4,
    newProducerId: () => real.ids.next++,
  });
  if (decision.kind === 'store') {
    if (storeFails) return { ok: false, error: new CoordinatorNotAvailableError('injected store failure') };
    apply(real, decision.next);
  }
  return decision.answer.ok
    ? { ok: true, result: decision.answer.result }
    : { ok: false, error: decision.answer.error };
}

function apply(real: Real, next: TxnMetadata): void {
  const last = real.history.at(-1);
  if (last !== undefined) {
    const backwards =
      next.producerId < last.producerId ||
      (next.producerId === last.producerId && next.producerEpoch < last.producerEpoch);
    if (backwards)
      throw new Error(
        `producer went back from ${JSON.stringify(last)} to ${next.producerId}/${next.producerEpoch}`,
      );
  }
  real.history.push({ producerId: next.producerId, producerEpoch: next.producerEpoch });
  real.meta = next;
}

function expectError(outcome: Outcome, ...classes: (new (m: string) => Error)[]): void {
  expect(outcome.ok, JSON.stringify(outcome.result)).toBe(false);
  expect(
    classes.some((c) => outcome.error instanceof c),
    `${outcome.error?.name}: ${outcome.error?.message}`,
  ).toBe(true);
}

/** What a producer is given: within 0..32766. */
function given(outcome: Outcome): ProducerIdAndEpoch {
  expect(outcome.ok, `${outcome.error?.name}: ${outcome.error?.message}`).toBe(true);
  const p = outcome.result as ProducerIdAndEpoch;
  expect(p.producerEpoch).toBeGreaterThanOrEqual(0);
  expect(p.producerEpoch).toBeLessThanOrEqual(MAX_PRODUCER_EPOCH);
  return p;
}

/** The model's next producer for a bump of `current`: the next epoch, or a fresh id at 0. */
function expectBump(model: Model, got: ProducerIdAndEpoch): void {
  const cur = model.current;
  if (cur === undefined) {
    expect(got.producerEpoch).toBe(0);
  } else if (cur.producerEpoch + 1 > MAX_PRODUCER_EPOCH) {
    expect(got.producerEpoch).toBe(0);
    expect(got.producerId).toBeGreaterThan(cur.producerId);
  } else {
    expect(got).toEqual({ producerId: cur.producerId, producerEpoch: cur.producerEpoch + 1 });
  }
}

const isPrepare = (s: Model['state']) => s === 'PrepareCommit' || s === 'PrepareAbort';
const isComplete = (s: Model['state']) => s === 'CompleteCommit' || s === 'CompleteAbort';

/** A new incarnation: InitProducerId without an id. */
class NewIncarnation implements Cmd {
  constructor(readonly i: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const outcome = exec(r, {
      type: 'txn.initProducerId',
      transactionalId: ID,
      transactionTimeoutMs: TIMEOUT_MS,
      producerId: -1,
      producerEpoch: -1,
    });
    if (isPrepare(m.state)) {
      expectError(outcome, ConcurrentTransactionsError);
    } else if (m.state === 'Ongoing') {
      expectError(outcome, ConcurrentTransactionsError);
      // Fenced: the open transaction is aborted with a bumped epoch.
      expect(r.meta).toMatchObject({ state: 'PrepareAbort', producerEpoch: m.current!.producerEpoch + 1 });
      m.state = 'PrepareAbort';
      m.current = { producerId: m.current!.producerId, producerEpoch: m.current!.producerEpoch + 1 };
      m.holder = -1;
      m.endSeq = undefined;
      expect(r.meta!.producerEpoch).toBeGreaterThan(Math.max(...m.addEpochs));
    } else {
      const p = given(outcome);
      expectBump(m, p);
      m.clients[this.i] = { producer: p, lastEnd: undefined };
      m.holder = this.i;
      m.current = p;
      m.state = 'Empty';
      m.partitions.clear();
      m.endSeq = undefined;
    }
  }
  toString = () => `newIncarnation(${this.i})`;
}

/** InitProducerId naming the client's id and epoch (KIP-360: a bump for the producer itself). */
class ReInit implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.clients[this.i]?.producer !== undefined;
  run(m: Model, r: Real): void {
    const client = m.clients[this.i]!;
    const before = r.meta;
    const outcome = exec(r, {
      type: 'txn.initProducerId',
      transactionalId: ID,
      transactionTimeoutMs: TIMEOUT_MS,
      ...client.producer!,
    });
    if (m.holder !== this.i) {
      // A zombie never gets the epoch of the incarnation that fenced it.
      expectError(outcome, ProducerFencedError);
      expect(r.meta).toBe(before);
      return;
    }
    if (m.state !== 'Ongoing' && !isPrepare(m.state)) {
      const p = given(outcome);
      expectBump(m, p);
      client.producer = p;
      m.current = p;
      m.state = 'Empty';
      m.partitions.clear();
      m.endSeq = undefined;
      return;
    }
    expectError(outcome, ConcurrentTransactionsError);
    if (m.state === 'Ongoing') {
      m.state = 'PrepareAbort';
      m.current = { producerId: m.current!.producerId, producerEpoch: m.current!.producerEpoch + 1 };
      m.holder = -1;
      m.endSeq = undefined;
    }
  }
  toString = () => `reInit(${this.i})`;
}

class Add implements Cmd {
  constructor(
    readonly i: number,
    readonly partitions: string[],
    readonly storeFails: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.clients[this.i]?.producer !== undefined;
  run(m: Model, r: Real): void {
    const producer = m.clients[this.i]!.producer!;
    const before = r.meta;
    const outcome = exec(
      r,
      {
        type: 'txn.addPartitions',
        transactionalId: ID,
        ...producer,
        partitions: this.partitions.map((p) => ({
          topic: p.split('-')[0]!,
          partition: Number(p.split('-')[1]),
        })),
      },
      this.storeFails,
    );
    if (m.holder !== this.i) {
      expectError(outcome, ProducerFencedError, InvalidProducerIdMappingError);
      expect(r.meta).toBe(before);
      return;
    }
    if (isPrepare(m.state)) {
      expectError(outcome, ConcurrentTransactionsError);
      return;
    }
    const grows = m.state !== 'Ongoing' || this.partitions.some((p) => !m.partitions.has(p));
    if (this.storeFails && grows) {
      expectError(outcome, CoordinatorNotAvailableError);
      expect(r.meta).toBe(before);
      return;
    }
    expect(outcome.ok, `${outcome.error?.message}`).toBe(true);
    if (m.state !== 'Ongoing') {
      m.state = 'Ongoing';
      m.partitions.clear();
      m.startMs = r.now;
      m.addEpochs = [];
      m.endSeq = undefined;
    }
    for (const p of this.partitions) m.partitions.add(p);
    m.addEpochs.push(producer.producerEpoch);
    expect(r.meta!.partitions.map((tp) => `${tp.topic}-${tp.partition}`)).toEqual([...m.partitions].sort());
  }
  toString = () => `add(${this.i}, ${this.partitions}${this.storeFails ? ', store fails' : ''})`;
}

class End implements Cmd {
  constructor(
    readonly i: number,
    readonly committed: boolean,
    readonly storeFails: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.clients[this.i]?.producer !== undefined;
  run(m: Model, r: Real): void {
    const client = m.clients[this.i]!;
    const producer = client.producer!;
    const before = r.meta;
    const request = { ...producer, committed: this.committed };
    const outcome = exec(r, { type: 'txn.endTxn', transactionalId: ID, ...request }, this.storeFails);
    const outcomeName = this.committed ? 'Commit' : 'Abort';
    if (m.holder !== this.i) {
      expectError(outcome, ProducerFencedError, InvalidProducerIdMappingError);
      expect(r.meta).toBe(before);
      return;
    }
    if (isPrepare(m.state)) {
      expectError(
        outcome,
        m.state.endsWith(outcomeName) ? ConcurrentTransactionsError : InvalidTxnStateError,
      );
      return;
    }
    if (m.state !== 'Ongoing') {
      expectError(outcome, InvalidTxnStateError);
      expect(r.meta).toBe(before);
      return;
    }
    if (this.storeFails) {
      expectError(outcome, CoordinatorNotAvailableError);
      expect(r.meta).toBe(before);
      return;
    }
    const p = given(outcome);
    expectBump(m, p);
    // The markers carry an epoch above every epoch of the transaction's data.
    expect(r.meta!.producerEpoch).toBeGreaterThan(Math.max(...m.addEpochs));
    m.state = `Prepare${outcomeName}`;
    const seq = m.nextSeq++;
    client.lastEnd = { request, answer: p, seq };
    client.producer = p;
    m.current = p;
    m.endSeq = seq;
  }
  toString = () =>
    `end(${this.i}, ${this.committed ? 'commit' : 'abort'}${this.storeFails ? ', store fails' : ''})`;
}

/** The client's last EndTxn again (a retry after a lost answer, or a delayed duplicate). */
class RetryEnd implements Cmd {
  constructor(
    readonly i: number,
    readonly flip: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.clients[this.i]?.lastEnd !== undefined;
  run(m: Model, r: Real): void {
    const last = m.clients[this.i]!.lastEnd!;
    const before = r.meta;
    const committed = this.flip ? !last.request.committed : last.request.committed;
    const outcome = exec(r, { type: 'txn.endTxn', transactionalId: ID, ...last.request, committed });
    expect(r.meta).toBe(before);
    const sameTransaction = m.endSeq === last.seq && (isPrepare(m.state) || isComplete(m.state));
    if (!sameTransaction) {
      expectError(outcome, ProducerFencedError, InvalidProducerIdMappingError, InvalidTxnStateError);
    } else if (this.flip) {
      expectError(outcome, InvalidTxnStateError);
    } else {
      expect(given(outcome)).toEqual(last.answer);
    }
  }
  toString = () => `retryEnd(${this.i}${this.flip ? ', other outcome' : ''})`;
}

/** A request with an epoch older than the client's: a zombie's or a delayed one. */
class Stale implements Cmd {
  constructor(
    readonly i: number,
    readonly back: number,
  ) {}
  check = (m: Readonly<Model>) => (m.clients[this.i]?.producer?.producerEpoch ?? 0) - this.back >= 0;
  run(m: Model, r: Real): void {
    const producer = m.clients[this.i]!.producer!;
    const before = r.meta;
    const outcome = exec(r, {
      type: 'txn.addPartitions',
      transactionalId: ID,
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch - this.back,
      partitions: [{ topic: 'z', partition: 0 }],
    });
    expectError(outcome, ProducerFencedError, InvalidProducerIdMappingError);
    expect(r.meta).toBe(before);
  }
  toString = () => `stale(${this.i}, -${this.back})`;
}

class Markers implements Cmd {
  check = (m: Readonly<Model>) => isPrepare(m.state);
  run(m: Model, r: Real): void {
    const prepared = r.meta!.state;
    apply(r, completeTransaction(r.meta!, r.now));
    // The outcome prepared is the outcome completed.
    expect(r.meta!.state).toBe(prepared === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort');
    m.state = m.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    m.partitions.clear();
  }
  toString = () => 'markersWritten';
}

/** Time passes, then the periodic check runs. */
class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.now += this.ms;
    const aborting = decideTimeoutAbort(r.meta, r.now);
    const timedOut = m.state === 'Ongoing' && r.now - m.startMs > TIMEOUT_MS;
    expect(aborting !== undefined).toBe(timedOut);
    if (aborting === undefined) return;
    apply(r, aborting);
    expect(aborting.producerEpoch).toBeGreaterThan(Math.max(...m.addEpochs));
    m.state = 'PrepareAbort';
    m.current = { producerId: m.current!.producerId, producerEpoch: m.current!.producerEpoch + 1 };
    m.holder = -1;
    m.endSeq = undefined;
  }
  toString = () => `advance(${this.ms})`;
}

/** The state is stored and loaded again (a coordinator failover): nothing changes. */
class Reload implements Cmd {
  check = (m: Readonly<Model>) => m.state !== 'none';
  run(_m: Model, r: Real): void {
    const loaded = decodeTransactionStateValue(ID, encodeTransactionStateValue(r.meta!));
    expect(loaded).toEqual(r.meta);
    r.meta = loaded;
  }
  toString = () => 'reload';
}

const client = fc.integer({ min: 0, max: POOL - 1 });
const commands = fc.commands(
  [
    client.map((i) => new NewIncarnation(i)),
    client.map((i) => new ReInit(i)),
    fc
      .tuple(client, fc.subarray(PARTITIONS, { minLength: 1 }), fc.boolean())
      .map(([i, ps, fails]) => new Add(i, ps, fails && ps.length === 1)),
    fc.tuple(client, fc.boolean(), fc.integer({ min: 0, max: 9 })).map(([i, c, f]) => new End(i, c, f === 0)),
    fc.tuple(client, fc.boolean()).map(([i, flip]) => new RetryEnd(i, flip)),
    fc.tuple(client, fc.integer({ min: 1, max: 3 })).map(([i, back]) => new Stale(i, back)),
    fc.constant(new Markers()),
    fc.integer({ min: 1, max: 12_000 }).map((ms) => new Advance(ms)),
    fc.constant(new Reload()),
  ],
  { maxCommands: 80, size: 'large' },
);

/** Where the id starts: unknown, or at an epoch near exhaustion (to meet the rotation). */
const start = fc.oneof(fc.constant(undefined), fc.integer({ min: 32_760, max: 32_766 }));

describe('the transaction coordinator’s decisions against a model of its producers', () => {
  it('lets only the current producer act, answers retries alike and completes what it prepared', () => {
    fc.assert(
      fc.property(start, commands, (startEpoch, cmds) => {
        const real: Real = { meta: undefined, now: 1_700_000_000_000, ids: { next: 1000 }, history: [] };
        const model: Model = {
          clients: Array.from({ length: POOL }, () => ({ producer: undefined, lastEnd: undefined })),
          holder: -1,
          state: 'none',
          current: undefined,
          partitions: new Set(),
          startMs: -1,
          endSeq: undefined,
          nextSeq: 1,
          addEpochs: [],
        };
        if (startEpoch !== undefined) {
          real.meta = {
            transactionalId: ID,
            producerId: 500,
            producerEpoch: startEpoch,
            lastProducerId: -1,
            lastProducerEpoch: -1,
            nextProducerId: -1,
            timeoutMs: TIMEOUT_MS,
            state: 'CompleteCommit',
            partitions: [],
            startMs: -1,
            lastUpdateMs: real.now,
          };
          real.history.push({ producerId: 500, producerEpoch: startEpoch });
          model.state = 'CompleteCommit';
          model.current = { producerId: 500, producerEpoch: startEpoch };
        }
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: RUNS },
    );
  });
});
