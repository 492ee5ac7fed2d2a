/**
 * Model-based test of PartitionLog against an array: random sequences of append, read, roll,
 * truncate, advance of the log start, flush, clean close and reopen, and crash and reopen.
 * A failure prints fast-check's seed and replayPath; pass them back (fc.assert's `seed`, `path`
 * and the commands' `replayPath`) to replay the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetOutOfRangeError } from '../../../src/common/errors.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import type { PartitionLog } from '../../../src/log/storage/partition-log.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { batchOf, readAll, recordsIn, reopen } from './log-fixtures.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 1000);
const CONFIG = { segmentBytes: 1024, maxBatchBytes: 1024, indexIntervalBytes: 128, flush: { intervalMs: 0 } };

interface Model {
  /** values[i] is the value at offset i; entries below logStart are gone. */
  values: string[];
  logStart: number;
  /** Offsets below this were acknowledged durable (a completed flush). */
  acked: number;
  counter: number;
  /** Base offsets of the batches in the log, ascending: truncation removes whole batches. */
  batchStarts: number[];
}

interface Real {
  log: PartitionLog;
  fs: MemoryStorageFs;
  clock: SimulatedClock;
}

type Cmd = fc.AsyncCommand<Model, Real>;

const at = (fraction: number, m: Model) =>
  m.logStart + Math.floor(fraction * (m.values.length - m.logStart + 1));

class Append implements Cmd {
  constructor(readonly size: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const values = Array.from({ length: this.size }, () => `r${m.counter++}`);
    const info = r.log.append(batchOf(values.map((value, i) => ({ value, timestamp: 1000 + i }))));
    expect(info.firstOffset).toBe(m.values.length);
    m.batchStarts.push(info.firstOffset);
    m.values.push(...values);
    expect(r.log.logEndOffset).toBe(m.values.length);
  }
  toString = () => `append(${this.size})`;
}

class Read implements Cmd {
  constructor(
    readonly fraction: number,
    readonly maxBytes: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const offset = at(this.fraction, m);
    const got = recordsIn(r.log.read(offset, this.maxBytes).records).filter((x) => x.offset >= offset);
    const expected = m.values.slice(offset, offset + got.length).map((value, i) => [offset + i, value]);
    expect(got.map((x) => [x.offset, x.value])).toEqual(expected);
    if (offset < m.values.length) expect(got.length).toBeGreaterThan(0);
  }
  toString = () => `read(${this.fraction.toFixed(2)}, ${this.maxBytes})`;
}

class ReadBelowStart implements Cmd {
  check = (m: Readonly<Model>) => m.logStart > 0;
  async run(m: Model, r: Real) {
    expect(() => r.log.read(m.logStart - 1, 100)).toThrow(OffsetOutOfRangeError);
  }
  toString = () => 'readBelowStart';
}

class Roll implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real) {
    r.log.roll();
  }
  toString = () => 'roll';
}

class Truncate implements Cmd {
  constructor(readonly fraction: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const target = at(this.fraction, m);
    // The batch holding the target goes whole; if that reaches below the log start, the log
    // starts afresh at the target.
    const cutBase = m.batchStarts.filter((b) => b <= target).at(-1) ?? target;
    let end = target >= m.values.length ? m.values.length : Math.min(target, cutBase);
    if (end < m.logStart) {
      end = target;
      m.logStart = target;
      m.batchStarts = [];
    }
    expect(r.log.truncateTo(target)).toBe(end);
    expect(r.log.logStartOffset).toBe(m.logStart);
    m.values.length = end;
    m.batchStarts = m.batchStarts.filter((b) => b < end);
    m.acked = Math.min(m.acked, end);
  }
  toString = () => `truncate(${this.fraction.toFixed(2)})`;
}

class AdvanceStart implements Cmd {
  constructor(readonly fraction: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const target = at(this.fraction, m);
    r.log.advanceLogStartOffset(target);
    m.logStart = Math.max(m.logStart, target);
    expect(r.log.logStartOffset).toBe(m.logStart);
  }
  toString = () => `advanceStart(${this.fraction.toFixed(2)})`;
}

class Flush implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.log.flush();
    m.acked = m.values.length;
    expect(r.log.recoveryPoint).toBe(m.values.length);
  }
  toString = () => 'flush';
}

class CloseReopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.log.close();
    r.log = reopen(r.fs, r.clock, CONFIG);
    expect(r.log.recovery.cleanShutdown).toBe(true);
    m.acked = m.values.length;
    checkWhole(m, r);
  }
  toString = () => 'closeReopen';
}

class CrashReopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.fs.crashLosingUnsynced();
    r.log = reopen(r.fs, r.clock, CONFIG);
    const end = r.log.logEndOffset;
    expect(end).toBeGreaterThanOrEqual(m.acked);
    expect(end).toBeLessThanOrEqual(m.values.length);
    m.values.length = end;
    m.batchStarts = m.batchStarts.filter((b) => b < end);
    m.logStart = Math.min(m.logStart, end);
    expect(r.log.logStartOffset).toBe(m.logStart);
    m.acked = end;
    checkWhole(m, r);
  }
  toString = () => 'crashReopen';
}

function checkWhole(m: Model, r: Real) {
  const got = readAll(r.log, m.logStart, 700).map((x) => [x.offset, x.value]);
  expect(got).toEqual(m.values.slice(m.logStart).map((v, i) => [m.logStart + i, v]));
}

/** A uniform fraction in [0, 1): fc.double leans towards tiny values, which would pin every target at the start. */
const fraction = fc.integer({ min: 0, max: 999 }).map((n) => n / 1000);

const commands = [
  fc.integer({ min: 1, max: 12 }).map((n) => new Append(n)),
  fc.integer({ min: 1, max: 12 }).map((n) => new Append(n)),
  fc.tuple(fraction, fc.integer({ min: 1, max: 800 })).map(([f, b]) => new Read(f, b)),
  fc.constant(new ReadBelowStart()),
  fc.constant(new Roll()),
  fraction.map((f) => new Truncate(f)),
  fraction.map((f) => new AdvanceStart(f)),
  fc.constant(new Flush()),
  fc.constant(new CloseReopen()),
  fc.constant(new CrashReopen()),
];

describe('PartitionLog against an array model', () => {
  it('agrees with the model over random sequences of appends, reads, rolls, truncations, restarts and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
        const fs = new MemoryStorageFs();
        const clock = new SimulatedClock(0);
        const real: Real = { fs, clock, log: reopen(fs, clock, CONFIG) };
        const model: Model = { values: [], logStart: 0, acked: 0, counter: 0, batchStarts: [] };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        checkWhole(model, real);
      }),
      { numRuns: RUNS },
    );
  });
});
