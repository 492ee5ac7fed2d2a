/**
 * RocksDB write-behind (src/state-stores/rocksdb/write-behind.ts) against the synchronous engine
 * as its model: the same batches, deletes of key ranges and reads go to an engine that writes
 * behind and to one that writes in the caller. Every read — point reads and range scans both
 * ways, interleaved with writes whose batches are still on the helper thread — must be the same,
 * and after close and reopen both hold the same data and changelog offsets. The helper is held
 * (RocksDbWriter.hold) for up to three batches at a time, so reads find batches outstanding; big
 * batches now and then keep it busy after it is released.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ByteRange, StoreEngine, WriteOp } from '../../src/state-stores/engine.js';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { RocksDbWriter } from '../../src/state-stores/rocksdb/rocksdb-writer.js';
import { drain, RUNS, removeTempDirs, tempDir } from './store-fixtures.js';

afterAll(removeTempDirs);

const CHANGELOG = 'app-store-changelog/0';

type Step =
  | { kind: 'write'; ops: WriteOp[]; offset: number | undefined }
  | { kind: 'purge'; from: Uint8Array; toExclusive: Uint8Array }
  | { kind: 'get'; key: Uint8Array }
  | { kind: 'scan'; from: Uint8Array | null; toExclusive: Uint8Array | null; reverse: boolean }
  | { kind: 'awaitWrites' }
  | { kind: 'stall'; round: number };

const STALL_KEYS = 3000;
const stallKey = (i: number) => Uint8Array.of(0xfe, i >> 8, i & 0xff);

/** 13 keys (the empty one included): batches overwrite each other's keys often. */
const key: fc.Arbitrary<Uint8Array> = fc
  .array(fc.constantFrom(0, 1, 0xff), { maxLength: 2 })
  .map((a) => new Uint8Array(a));
const value = fc.uint8Array({ minLength: 0, maxLength: 6 });
const write: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('write' as const),
  // One write per key, as the transaction buffer hands them over.
  ops: fc
    .uniqueArray(fc.tuple(key, fc.option(value, { nil: null })), {
      maxLength: 12,
      selector: ([k]) => Buffer.from(k).toString('hex'),
    })
    .map((pairs) => pairs.map(([key, v]) => ({ key, value: v }))),
  offset: fc.option(fc.nat(1000), { nil: undefined }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: write, weight: 4 },
  {
    arbitrary: fc
      .tuple(key, key)
      .map(([a, b]) => (Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]))
      .map(([from, toExclusive]) => ({ kind: 'purge' as const, from: from!, toExclusive: toExclusive! })),
    weight: 2,
  },
  { arbitrary: key.map((key) => ({ kind: 'get' as const, key })), weight: 3 },
  // Keys every big batch writes: two of them outstanding at once must answer with the newer.
  {
    arbitrary: fc.nat(STALL_KEYS - 1).map((i) => ({ kind: 'get' as const, key: stallKey(i) })),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('scan' as const),
      from: fc.option(key, { nil: null }),
      toExclusive: fc.option(key, { nil: null }),
      reverse: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'awaitWrites' as const }), weight: 1 },
  { arbitrary: fc.nat(255).map((round) => ({ kind: 'stall' as const, round })), weight: 1 },
);

/**
 * A batch big enough to keep the helper busy for a few milliseconds, so that the steps after it
 * find their batches still outstanding (small ones alone are written before the next read).
 */
function stallOps(round: number): WriteOp[] {
  const ops: WriteOp[] = [];
  for (let i = 0; i < STALL_KEYS; i++) ops.push({ key: stallKey(i), value: Uint8Array.of(round) });
  return ops;
}

function contents(engine: StoreEngine): [string, string][] {
  return drain(engine.iterator({ from: null, toExclusive: null, reverse: false }));
}

function hexOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('hex');
}

describe('RocksDB write-behind', () => {
  it('reads as the synchronous engine at every step, and holds the same data and offsets after reopen', async () => {
    let offset = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const behindDir = tempDir('millrace-write-behind-');
        const syncDir = tempDir('millrace-write-sync-');
        let behind = await RocksDbEngine.open({ name: 'behind', dir: behindDir });
        let sync = await RocksDbEngine.open({ name: 'sync', dir: syncDir, config: { writeBehind: false } });
        const writer = RocksDbWriter.ofThisThread();
        // Batches handed over since the helper was held: at 4 the next write would wait for it.
        let held = 0;
        const handOver = () => {
          if (held === 3) {
            writer.release();
            behind.awaitWrites();
            writer.hold();
            held = 0;
          }
          held++;
        };
        writer.hold();
        try {
          for (const s of steps) {
            if (s.kind === 'write' || s.kind === 'purge' || s.kind === 'stall') handOver();
            switch (s.kind) {
              case 'write': {
                // Offsets only grow, as a changelog's do.
                if (s.offset !== undefined) offset += s.offset + 1;
                const offsets = s.offset === undefined ? undefined : new Map([[CHANGELOG, offset]]);
                behind.write(s.ops, offsets);
                sync.write(s.ops, offsets);
                break;
              }
              case 'purge':
                behind.deleteRange(s.from, s.toExclusive);
                sync.deleteRange(s.from, s.toExclusive);
                break;
              case 'get':
                expect(hexOf(behind.get(s.key))).toEqual(hexOf(sync.get(s.key)));
                break;
              case 'scan': {
                const range: ByteRange = { from: s.from, toExclusive: s.toExclusive, reverse: s.reverse };
                expect(drain(behind.iterator(range))).toEqual(drain(sync.iterator(range)));
                break;
              }
              case 'awaitWrites':
                writer.release();
                behind.awaitWrites();
                writer.hold();
                held = 0;
                break;
              case 'stall': {
                const ops = stallOps(s.round);
                behind.write(ops);
                sync.write(ops);
                break;
              }
            }
            expect(behind.changelogOffsets()).toEqual(sync.changelogOffsets());
          }
          writer.release();
          await behind.close();
          await sync.close();
          behind = await RocksDbEngine.open({
            name: 'behind',
            dir: behindDir,
            config: { writeBehind: false },
          });
          sync = await RocksDbEngine.open({ name: 'sync', dir: syncDir, config: { writeBehind: false } });
          expect(contents(behind)).toEqual(contents(sync));
          expect(behind.changelogOffsets()).toEqual(sync.changelogOffsets());
        } finally {
          writer.release();
          await behind.close();
          await sync.close();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
