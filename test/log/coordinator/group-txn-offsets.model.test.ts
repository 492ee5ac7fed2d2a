/**
 * Model-based test of transactional offsets in the group coordinator: random sequences of plain
 * OffsetCommits, TxnOffsetCommits by several producers across two groups of one
 * `__consumer_offsets` partition, COMMIT and ABORT markers, and reloads of the partition (a new
 * coordinator replaying the log), against a model that holds committed offsets and each producer's
 * pending ones, with Kafka's rule that a COMMIT replaces a committed offset only by one written
 * after it. After every command each group is fetched, plainly and with requireStable: the plain
 * fetch must return exactly the model's committed offsets (never a pending one), the stable fetch
 * UNSTABLE_OFFSET_COMMIT exactly where some producer has a pending offset.
 *
 * A second variant compacts the partition too (roll, then compact) when no transaction is open,
 * with COMMIT markers only: the compactor keeps aborted and open transactional records in its map
 * of latest offsets, so compaction is only correct there (see the note at the end).
 *
 * A failure prints fast-check's seed, path and the commands' replayPath; pass them back
 * (fc.assert's `seed` and `path`, fc.commands' `replayPath`) to replay the shrunk case.
 * TXN_MODEL_RUNS sets the number of runs per variant (default 60).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OffsetCommitResult, OffsetFetchResult } from '../../../src/log/coordinator/offset-requests.js';
import { Harness } from './coordinator-fixtures.js';

const RUNS = Number(process.env.TXN_MODEL_RUNS ?? 60);
const GROUPS = ['g-a', 'g-b'];
const PARTITIONS = [0, 1];
const PRODUCERS = [1, 2, 3];

interface Committed {
  offset: number;
  position: number;
}

interface Model {
  /** `group|partition` → committed offset. */
  committed: Map<string, Committed>;
  /** producer → `group|partition` → pending offset. */
  pending: Map<number, Map<string, Committed>>;
  /** Counts stored writes: the order of writes in the log. */
  position: number;
  /** Whether ABORT markers and compaction are in this variant's commands. */
  compaction: boolean;
}

type Cmd = fc.AsyncCommand<Model, Harness>;
type Entry = [partition: number, offset: number];

const keyOf = (group: string, partition: number) => `${group}|${partition}`;
const offsetsOf = (entries: Entry[]) =>
  entries.map(([partition, offset]) => ({
    topic: 'orders',
    partition,
    offset,
    leaderEpoch: -1,
    metadata: '',
  }));

function expectAccepted(result: OffsetCommitResult): void {
  expect(result.partitions.map((p) => p.error)).toEqual(result.partitions.map(() => null));
}

/** Fetches every group plainly and with requireStable, and compares with the model. */
async function check(model: Model, h: Harness): Promise<void> {
  const tps = PARTITIONS.map((partition) => ({ topic: 'orders', partition }));
  const fetches = GROUPS.flatMap((group) => [h.fetch(tps, group, false), h.fetch(tps, group, true)]);
  const results: OffsetFetchResult[] = await h.run(Promise.all(fetches));
  GROUPS.forEach((group, g) => {
    const plain = results[2 * g]!.offsets.map((o) => o.error?.name ?? o.offset);
    const stable = results[2 * g + 1]!.offsets.map((o) => o.error?.name ?? o.offset);
    const committed = PARTITIONS.map((p) => model.committed.get(keyOf(group, p))?.offset ?? -1);
    const unstable = PARTITIONS.map((p) =>
      [...model.pending.values()].some((txn) => txn.has(keyOf(group, p))),
    );
    expect(plain, `committed offsets of ${group}`).toEqual(committed);
    expect(stable, `stable fetch of ${group}`).toEqual(
      committed.map((c, i) => (unstable[i] ? 'UnstableOffsetCommitError' : c)),
    );
  });
}

class PlainCommit implements Cmd {
  constructor(
    readonly group: string,
    readonly entries: Entry[],
  ) {}
  check = () => true;
  async run(model: Model, h: Harness): Promise<void> {
    expectAccepted(await h.run(h.commit({ groupId: this.group, offsets: offsetsOf(this.entries) })));
    const position = model.position++;
    for (const [p, offset] of this.entries) model.committed.set(keyOf(this.group, p), { offset, position });
    await check(model, h);
  }
  toString = () => `plain(${this.group}, ${JSON.stringify(this.entries)})`;
}

class TxnCommit implements Cmd {
  constructor(
    readonly producerId: number,
    readonly group: string,
    readonly entries: Entry[],
  ) {}
  check = () => true;
  async run(model: Model, h: Harness): Promise<void> {
    const { producerId, group } = this;
    expectAccepted(
      await h.run(h.txnCommit({ producerId, groupId: group, offsets: offsetsOf(this.entries) })),
    );
    const position = model.position++;
    const txn = model.pending.get(producerId) ?? new Map<string, Committed>();
    model.pending.set(producerId, txn);
    for (const [p, offset] of this.entries) txn.set(keyOf(group, p), { offset, position });
    await check(model, h);
  }
  toString = () => `txn(p${this.producerId}, ${this.group}, ${JSON.stringify(this.entries)})`;
}

class Marker implements Cmd {
  constructor(
    readonly producerId: number,
    readonly marker: 'COMMIT' | 'ABORT',
  ) {}
  check = (model: Readonly<Model>) => this.marker === 'COMMIT' || !model.compaction;
  async run(model: Model, h: Harness): Promise<void> {
    await h.run(h.marker(this.producerId, this.marker));
    const txn = model.pending.get(this.producerId);
    model.pending.delete(this.producerId);
    if (txn !== undefined && this.marker === 'COMMIT') {
      for (const [key, value] of txn) {
        const current = model.committed.get(key);
        if (current === undefined || current.position < value.position) model.committed.set(key, value);
      }
    }
    await check(model, h);
  }
  toString = () => `${this.marker}(p${this.producerId})`;
}

class Reload implements Cmd {
  check = () => true;
  async run(model: Model, h: Harness): Promise<void> {
    await h.reload();
    await check(model, h);
  }
  toString = () => 'reload';
}

class Compact implements Cmd {
  check = (model: Readonly<Model>) => model.compaction && model.pending.size === 0;
  async run(model: Model, h: Harness): Promise<void> {
    const log = h.logs.get(0)!;
    log.roll();
    await h.run(log.compact());
    await h.reload();
    await check(model, h);
  }
  toString = () => 'compact';
}

const group = fc.constantFrom(...GROUPS);
const producer = fc.constantFrom(...PRODUCERS);
const entries = fc.array(
  fc.tuple(fc.constantFrom(...PARTITIONS), fc.integer({ min: 0, max: 1000 })) as fc.Arbitrary<Entry>,
  { minLength: 1, maxLength: 2 },
);
const commands = fc.commands(
  [
    fc.tuple(group, entries).map(([g, e]) => new PlainCommit(g, e)),
    fc.tuple(producer, group, entries).map(([p, g, e]) => new TxnCommit(p, g, e)),
    fc.tuple(producer, group, entries).map(([p, g, e]) => new TxnCommit(p, g, e)),
    fc
      .tuple(producer, fc.constantFrom('COMMIT', 'ABORT') as fc.Arbitrary<'COMMIT' | 'ABORT'>)
      .map(([p, m]) => new Marker(p, m)),
    fc.constant(new Reload()),
    fc.constant(new Compact()),
  ],
  { maxCommands: 40, size: 'large' },
);

describe('transactional offsets against a model of committed and pending offsets', () => {
  for (const compaction of [false, true]) {
    const what = compaction ? 'with compaction, COMMIT markers only' : 'COMMIT and ABORT markers';
    it(`commits, drops and restores exactly what the model does (${what})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), commands, async (seed, cmds) => {
          const h = await new Harness({ seed }).start();
          const model: Model = { committed: new Map(), pending: new Map(), position: 0, compaction };
          await fc.asyncModelRun(() => ({ model, real: h }), cmds);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
