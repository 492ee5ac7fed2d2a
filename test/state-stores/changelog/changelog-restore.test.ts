/**
 * Changelogging and restoration through the simulated cluster (DESIGN.md §7): a store written
 * through transactions, its changelog restored into a fresh engine, equals the original; aborted
 * transactions are never restored; a reopened store replays only the tail past its stored offset;
 * progress events add up to the total; missing and out-of-range stores are rebuilt from the start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreChangelogger } from '../../../src/state-stores/changelog/store-changelogger.js';
import { MemoryEngineSource } from '../../../src/state-stores/restore/memory-engine-source.js';
import { keyValueBytesStore } from '../../../src/state-stores/stores.js';
import {
  changelogCluster,
  dump,
  restoreInSim,
  runTransaction,
  sortedModel,
  type TestWrite,
  TOPIC,
} from './changelog-fixtures.js';

const RUNS = Number(process.env.CHANGELOG_RUNS ?? 12);

const writeArb: fc.Arbitrary<TestWrite> = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  value: fc.option(fc.string({ minLength: 0, maxLength: 6 }), { freq: 4 }),
});
const transactionArb = fc.record({
  writes: fc.array(writeArb, { minLength: 0, maxLength: 8 }),
  commit: fc.boolean(),
});

describe('changelogging and restoration', () => {
  it('restores a store written through committed and aborted transactions into a fresh engine that equals the original, and a reopened copy replays exactly the tail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(transactionArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(0, 64, 1 << 20),
        async (seed, transactions, midSeed, cacheMaxBytes) => {
          const c = await changelogCluster(seed);
          const source = new MemoryEngineSource('store');
          const engine = await source.open();
          const store = keyValueBytesStore(engine, { cacheMaxBytes });
          const changelogger = new StoreChangelogger({ store, engine, topic: TOPIC, partition: 0 });
          const model = new Map<string, string>();
          const mid = midSeed % (transactions.length + 1);
          const copy = new MemoryEngineSource('copy');
          let committedRecords = 0;
          let recordsAtMid = 0;
          for (let t = 0; t <= transactions.length; t++) {
            if (t === mid) {
              // A copy restored part way: later it must replay only what was committed since.
              const { engine: e, result } = await restoreInSim(c, { source: copy });
              expect(result.records).toBe(committedRecords);
              expect(dump(e)).toEqual(sortedModel(model));
              await e.close();
              recordsAtMid = committedRecords;
            }
            if (t === transactions.length) break;
            const { writes, commit } = transactions[t]!;
            const sent = await runTransaction(c, store, changelogger, writes, commit);
            if (!commit) continue;
            committedRecords += sent;
            for (const w of writes) {
              if (w.value === null) model.delete(w.key);
              else model.set(w.key, w.value);
            }
          }
          expect(dump(engine)).toEqual(sortedModel(model));

          const fresh = await restoreInSim(c, { source: new MemoryEngineSource('fresh') });
          expect(dump(fresh.engine)).toEqual(dump(engine));
          expect(fresh.result.records).toBe(committedRecords);
          // The fresh copy stands at the end it restored to (past the last marker); the original at
          // the offset right after its last record.
          const id = `${TOPIC}/0`;
          expect(fresh.engine.changelogOffsets().get(id)).toBe(fresh.result.endOffset);
          expect(fresh.result.endOffset).toBeGreaterThanOrEqual(engine.changelogOffsets().get(id) ?? 0);

          const tail = await restoreInSim(c, { source: copy });
          expect(tail.result.records).toBe(committedRecords - recordsAtMid);
          expect(tail.result.wiped).toBeUndefined();
          expect(dump(tail.engine)).toEqual(dump(engine));

          // The original itself, reopened, has nothing to replay.
          await engine.close();
          const reopened = await restoreInSim(c, { source });
          expect(reopened.result.records).toBe(0);
          expect(dump(reopened.engine)).toEqual(sortedModel(model));
        },
      ),
      { numRuns: RUNS },
    );
  }, 30_000);
});
