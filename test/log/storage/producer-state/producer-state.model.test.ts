/**
 * Model-based test of a partition's producer state (PartitionProducerState over a PartitionLog on
 * a memory fs) against a model that is just the list of batches in the log, folded from scratch
 * whenever the expected state is needed. Random appends (retries, in-order, gaps, stale and new
 * epochs, transactional or not, one or two batches per request), markers, high watermark moves,
 * truncations, snapshots, clean restarts, crashes and corrupt snapshots. After every step the
 * producers' state, the aborted-transaction index and the last stable offset must equal the
 * model's; every refusal must be exactly the model's, and a retry must get its original offsets.
 *
 * A failure prints fast-check's seed and path (and the commands' replayPath): pass them back to
 * fc.assert (`{ seed, path }`) to replay the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidProducerEpochError,
  InvalidTxnStateError,
  OutOfOrderSequenceError,
  TransactionCoordinatorFencedError,
} from '../../../../src/common/transaction-errors.js';
import { MemoryStorageFs } from '../../../../src/log/storage/fs/memory-storage-fs.js';
import type { PartitionLog } from '../../../../src/log/storage/partition-log.js';
import type { PartitionProducerState } from '../../../../src/log/storage/producer-state/partition-producer-state.js';
import { SeededRandom } from '../../../../src/runtime/actor/seeded-random.js';
import { SimulatedClock } from '../../../../src/runtime/actor/simulated-clock.js';
import { concat, DIR, openLog, producerBatch } from './producer-fixtures.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 400);
const CONFIG = { segmentBytes: 1024, indexIntervalBytes: 128, flush: { intervalMs: 0 } };

// ---- the model: the batches in the log, and the state folded from them ----

interface ModelBatch {
  pid: number;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  txn: boolean;
  marker?: 'COMMIT' | 'ABORT';
  coordinatorEpoch?: number;
}

interface ModelProducer {
  epoch: number;
  coordinatorEpoch: number;
  txnFirst: number;
  batches: { firstSeq: number; lastSeq: number; firstOffset: number; lastOffset: number }[];
}

interface Folded {
  producers: Map<number, ModelProducer>;
  completed: { producerId: number; firstOffset: number; lastOffset: number }[];
  aborted: { producerId: number; firstOffset: number; lastOffset: number }[];
}

interface Model {
  log: ModelBatch[];
  /** The high watermark: at a batch boundary, never past what was flushed, never moving back. */
  hw: number;
}

interface Real {
  fs: MemoryStorageFs;
  clock: SimulatedClock;
  log: PartitionLog;
  state: PartitionProducerState;
}

const endOf = (m: Model) => (m.log.length === 0 ? 0 : m.log.at(-1)!.lastOffset + 1);

function fold(log: readonly ModelBatch[]): Folded {
  const producers = new Map<number, ModelProducer>();
  const completed: Folded['completed'] = [];
  const aborted: Folded['aborted'] = [];
  for (const b of log) {
    if (b.pid < 0) continue;
    let p = producers.get(b.pid);
    if (p === undefined) {
      p = { epoch: b.epoch, coordinatorEpoch: -1, txnFirst: -1, batches: [] };
      producers.set(b.pid, p);
    }
    if (b.marker !== undefined) {
      if (b.epoch > p.epoch) {
        p.epoch = b.epoch;
        p.batches = [];
      }
      p.coordinatorEpoch = b.coordinatorEpoch!;
      if (p.txnFirst >= 0) {
        const t = { producerId: b.pid, firstOffset: p.txnFirst, lastOffset: b.firstOffset };
        completed.push(t);
        if (b.marker === 'ABORT') aborted.push(t);
        p.txnFirst = -1;
      }
      continue;
    }
    if (b.epoch !== p.epoch) {
      p.epoch = b.epoch;
      p.batches = [];
    }
    if (b.firstSeq >= 0) {
      p.batches.push({
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        firstOffset: b.firstOffset,
        lastOffset: b.lastOffset,
      });
      if (p.batches.length > 5) p.batches.shift();
    }
    if (b.txn && p.txnFirst < 0) p.txnFirst = b.firstOffset;
  }
  return { producers, completed, aborted };
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'dup'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; error: new (message: string) => Error };

const next = (seq: number) => (seq === 0x7fffffff ? 0 : seq + 1);

/** The model's verdict on one producer batch, given the log plus the request's earlier batches. */
function judge(committed: Folded, effective: Folded, b: ModelBatch): Outcome {
  const c = committed.producers.get(b.pid);
  if (c !== undefined && b.firstSeq >= 0 && b.epoch === c.epoch) {
    const d = c.batches.find((x) => x.firstSeq === b.firstSeq && x.lastSeq === b.lastSeq);
    if (d !== undefined) return { kind: 'dup', firstOffset: d.firstOffset, lastOffset: d.lastOffset };
  }
  const p = effective.producers.get(b.pid);
  if (p !== undefined && b.epoch < p.epoch) return { kind: 'error', error: InvalidProducerEpochError };
  if (!b.txn && p !== undefined && p.txnFirst >= 0) return { kind: 'error', error: InvalidTxnStateError };
  if (b.firstSeq < 0) return { kind: 'ok' };
  const expected =
    p === undefined || b.epoch > p.epoch || p.batches.length === 0 ? 0 : next(p.batches.at(-1)!.lastSeq);
  return b.firstSeq === expected ? { kind: 'ok' } : { kind: 'error', error: OutOfOrderSequenceError };
}

function modelLso(m: Model): number {
  const f = fold(m.log);
  let lso = m.hw;
  for (const p of f.producers.values()) if (p.txnFirst >= 0) lso = Math.min(lso, p.txnFirst);
  for (const t of f.completed) if (t.lastOffset >= m.hw) lso = Math.min(lso, t.firstOffset);
  return lso;
}

function check(m: Model, r: Real): void {
  expect(r.log.logEndOffset).toBe(endOf(m));
  const f = fold(m.log);
  const image = r.state.manager.toImage();
  const got = image.producers
    .map((p) => ({
      pid: p.producerId,
      epoch: p.epoch,
      coordinatorEpoch: p.coordinatorEpoch,
      txnFirst: p.currentTxnFirstOffset,
      batches: p.batches,
    }))
    .sort((a, b) => a.pid - b.pid);
  const want = [...f.producers.entries()].map(([pid, p]) => ({ pid, ...p })).sort((a, b) => a.pid - b.pid);
  expect(got).toEqual(want);
  expect(image.aborted).toEqual(f.aborted);
  expect(r.state.lastStableOffset(m.hw)).toBe(modelLso(m));
  const end = endOf(m);
  for (const [from, to] of [
    [0, end],
    [Math.floor(m.hw / 2), m.hw],
    [m.hw, end],
  ] as const) {
    const want = f.aborted
      .filter((t) => t.lastOffset >= from && t.firstOffset < to)
      .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
    expect(r.state.abortedTransactions(from, to)).toEqual(want);
  }
}

// ---- commands ----

/** A command whose run is followed by the full comparison with the model. */
abstract class Cmd implements fc.AsyncCommand<Model, Real> {
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    await this.step(m, r);
    check(m, r);
  }
  abstract step(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
}

interface BatchChoice {
  epochDelta: number;
  seq: 'next' | 'zero' | 'gap' | 'dup' | 'none';
  count: number;
  txn: boolean;
  dupIndex: number;
}

class Produce extends Cmd {
  constructor(
    readonly pid: number,
    readonly choices: BatchChoice[],
  ) {
    super();
  }
  async step(m: Model, r: Real) {
    const committed = fold(m.log);
    const tentative = [...m.log];
    const batches: ModelBatch[] = [];
    let refusal: (new (message: string) => Error) | undefined;
    let dupFirst = -1;
    let dupLast = -1;
    let dupMode: boolean | undefined;
    let offset = endOf(m);
    for (const c of this.choices) {
      const eff = fold(tentative);
      const p = eff.producers.get(this.pid);
      const last = p !== undefined && p.batches.length > 0 ? p.batches.at(-1)!.lastSeq : -1;
      let count = c.count;
      let firstSeq: number;
      let epoch = Math.max(0, (p?.epoch ?? 0) + c.epochDelta);
      const known = committed.producers.get(this.pid)?.batches ?? [];
      if (c.seq === 'dup' && known.length > 0) {
        const d = known[c.dupIndex % known.length]!;
        firstSeq = d.firstSeq;
        count = d.lastSeq - d.firstSeq + 1;
        epoch = Math.max(0, committed.producers.get(this.pid)!.epoch + c.epochDelta);
      } else if (c.seq === 'zero') firstSeq = 0;
      else if (c.seq === 'gap') firstSeq = next(last) + 1 + (c.dupIndex % 3);
      else if (c.seq === 'none') firstSeq = -1;
      else firstSeq = next(last);
      const b: ModelBatch = {
        pid: this.pid,
        epoch,
        firstSeq,
        lastSeq: firstSeq < 0 ? -1 : firstSeq + count - 1,
        firstOffset: offset,
        lastOffset: offset + count - 1,
        txn: c.txn,
      };
      batches.push(b);
      offset += count;
      if (refusal !== undefined) continue;
      if (this.pid < 0) {
        tentative.push(b);
        continue;
      }
      const verdict = judge(committed, fold(tentative), b);
      if (verdict.kind === 'error') refusal = verdict.error;
      else {
        const isDup = verdict.kind === 'dup';
        dupMode ??= isDup;
        if (isDup !== dupMode) refusal = OutOfOrderSequenceError;
        else if (verdict.kind === 'dup') {
          if (dupFirst < 0) dupFirst = verdict.firstOffset;
          dupLast = verdict.lastOffset;
        } else tentative.push(b);
      }
    }
    const bytes = concat(
      ...batches.map((b) =>
        producerBatch({
          pid: b.pid,
          epoch: b.epoch,
          seq: b.firstSeq,
          count: b.lastOffset - b.firstOffset + 1,
          txn: b.txn,
        }),
      ),
    );
    const before = r.log.logEndOffset;
    if (refusal !== undefined) {
      expect(() => r.state.appendAsLeader(bytes, 0)).toThrow(refusal);
      expect(r.log.logEndOffset).toBe(before);
      return;
    }
    const info = r.state.appendAsLeader(bytes, 0);
    if (dupMode === true) {
      expect(info).toMatchObject({ duplicate: true, firstOffset: dupFirst, lastOffset: dupLast });
      expect(r.log.logEndOffset).toBe(before);
      return;
    }
    expect(info).toMatchObject({ duplicate: false, firstOffset: before, lastOffset: offset - 1 });
    m.log.push(...batches);
  }
  toString(): string {
    return `produce(${this.pid}, ${JSON.stringify(this.choices)})`;
  }
}

class Marker extends Cmd {
  constructor(
    readonly pid: number,
    readonly marker: 'COMMIT' | 'ABORT',
    readonly epochDelta: number,
    readonly coordinatorDelta: number,
  ) {
    super();
  }
  async step(m: Model, r: Real) {
    const p = fold(m.log).producers.get(this.pid);
    const producerEpoch = Math.max(0, (p?.epoch ?? 0) + this.epochDelta);
    const coordinatorEpoch = Math.max(0, (p?.coordinatorEpoch ?? 0) + this.coordinatorDelta);
    const input = { producerId: this.pid, producerEpoch, coordinatorEpoch, marker: this.marker };
    const refusal =
      p !== undefined && producerEpoch < p.epoch
        ? InvalidProducerEpochError
        : p !== undefined && coordinatorEpoch < p.coordinatorEpoch
          ? TransactionCoordinatorFencedError
          : undefined;
    if (refusal !== undefined) {
      expect(() => r.state.appendMarkerAsLeader(input, 0)).toThrow(refusal);
      return;
    }
    const offset = endOf(m);
    expect(r.state.appendMarkerAsLeader(input, 0).firstOffset).toBe(offset);
    m.log.push({
      pid: this.pid,
      epoch: producerEpoch,
      firstSeq: -1,
      lastSeq: -1,
      firstOffset: offset,
      lastOffset: offset,
      txn: true,
      marker: this.marker,
      coordinatorEpoch,
    });
  }
  toString(): string {
    return `marker(${this.pid}, ${this.marker}, ${this.epochDelta}, ${this.coordinatorDelta})`;
  }
}

/** Batch ends at or above the high watermark, the offsets it may move to. */
const boundariesFrom = (m: Model) => [m.hw, ...m.log.map((b) => b.lastOffset + 1).filter((o) => o > m.hw)];

class AdvanceHighWatermark extends Cmd {
  constructor(readonly pick: number) {
    super();
  }
  async step(m: Model, r: Real) {
    await r.log.flush();
    const options = boundariesFrom(m);
    m.hw = options[this.pick % options.length]!;
  }
  toString(): string {
    return `advanceHighWatermark(${this.pick})`;
  }
}

class Truncate extends Cmd {
  constructor(readonly pick: number) {
    super();
  }
  async step(m: Model, r: Real) {
    const options = boundariesFrom(m);
    const target = options[this.pick % options.length]! - (this.pick % 2);
    const kept = m.log.filter((b) => b.lastOffset < Math.max(target, m.hw));
    expect(r.state.truncateTo(Math.max(target, m.hw))).toBe(
      kept.length === 0 ? 0 : kept.at(-1)!.lastOffset + 1,
    );
    m.log = kept;
  }
  toString(): string {
    return `truncate(${this.pick})`;
  }
}

class Snapshot extends Cmd {
  async step(m: Model, r: Real) {
    r.state.takeSnapshot();
    r.state.maintain(m.hw);
  }
  toString(): string {
    return 'snapshot';
  }
}

class CloseReopen extends Cmd {
  constructor(readonly corruptNewest: boolean) {
    super();
  }
  async step(_m: Model, r: Real) {
    await r.log.close();
    r.state.close();
    if (this.corruptNewest) {
      const newest = r.state.snapshots.offsets().at(-1)!;
      const file = r.fs.open(`${DIR}/${String(newest).padStart(20, '0')}.snapshot`, { create: false });
      const at = Math.floor(file.size() / 2);
      const byte = Buffer.alloc(1);
      file.read(byte, 0, 1, at);
      byte[0]! ^= 0x55;
      file.write(byte, 0, 1, at);
      file.syncBlocking();
      file.close();
    }
    Object.assign(r, openLog(r.fs, r.clock, CONFIG));
    if (this.corruptNewest) expect(r.state.snapshots.offsets()).not.toContain(r.log.logEndOffset);
  }
  toString(): string {
    return `closeReopen(${this.corruptNewest ? 'corrupting the newest snapshot' : ''})`;
  }
}

class CrashReopen extends Cmd {
  constructor(readonly seed: number) {
    super();
  }
  async step(m: Model, r: Real) {
    r.fs.crash(new SeededRandom(this.seed));
    Object.assign(r, openLog(r.fs, r.clock, CONFIG));
    const end = r.log.logEndOffset;
    expect(end).toBeGreaterThanOrEqual(m.hw);
    m.log = m.log.filter((b) => b.lastOffset < end);
  }
  toString(): string {
    return `crashReopen(${this.seed})`;
  }
}

const choice: fc.Arbitrary<BatchChoice> = fc.record({
  epochDelta: fc.constantFrom(-1, 0, 0, 0, 0, 1),
  seq: fc.constantFrom('next', 'next', 'next', 'zero', 'gap', 'dup', 'dup', 'none'),
  count: fc.integer({ min: 1, max: 3 }),
  txn: fc.boolean(),
  dupIndex: fc.nat(10),
});
const pid = fc.constantFrom(-1, 0, 1, 2);

const commands = [
  fc.tuple(pid, choice).map(([p, c]) => new Produce(p, [c])),
  fc.tuple(pid, choice).map(([p, c]) => new Produce(p, [c])),
  fc.tuple(pid, choice).map(([p, c]) => new Produce(p, [c])),
  fc.tuple(pid, choice, choice).map(([p, a, b]) => new Produce(p, [a, b])),
  fc
    .tuple(fc.constantFrom(0, 1, 2), fc.constantFrom('COMMIT', 'ABORT') as fc.Arbitrary<'COMMIT' | 'ABORT'>)
    .chain(([p, t]) =>
      fc
        .tuple(fc.constantFrom(-1, 0, 0, 1), fc.constantFrom(-1, 0, 0, 1))
        .map(([e, c]) => new Marker(p, t, e, c)),
    ),
  fc.nat(20).map((n) => new AdvanceHighWatermark(n)),
  fc.nat(20).map((n) => new Truncate(n)),
  fc.constant(new Snapshot()),
  fc.boolean().map((b) => new CloseReopen(b)),
  fc.nat().map((n) => new CrashReopen(n)),
];

describe('the producer state of a partition against a model of its log', () => {
  it('agrees on refusals, retries, the last stable offset and aborted transactions through truncations, restarts and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
        const fs = new MemoryStorageFs();
        const clock = new SimulatedClock(0);
        const real: Real = { fs, clock, ...openLog(fs, clock, CONFIG) };
        const model: Model = { log: [], hw: 0 };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: RUNS },
    );
  });
});
