/**
 * Kafka's transactions test, simulated: copy numbered records from one topic to another in
 * transactions of about 750 (consume at read_committed, produce, commit the consumed offsets in
 * the same transaction), while brokers are killed and restarted and the copier itself is killed
 * and replaced by a new instance with the same transactional id (which fences the old one and
 * aborts its open transaction). The output must equal the input exactly, in order per partition,
 * and afterwards no transaction may hang: the last stable offset equals the high watermark.
 */
import { describe, expect, it } from 'vitest';
import { MillraceError } from '../../../src/common/errors.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { SeededRandom, type Simulation } from '../../../src/runtime/actor/index.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../log/broker/cluster-fixtures.js';
import { readPartition } from './read-partition.js';

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const SEEDS = Number(process.env.SEEDS ?? 1);
const ONLY = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const PARTITIONS = 3;
const BROKERS = [1, 2, 3];

/** One copier instance: a read_committed consumer in the group and a transactional producer. */
class Copier {
  stopped = false;
  fatal: string | undefined;
  commits = 0;
  aborts = 0;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly loop: Promise<void>;

  constructor(
    private readonly sim: Simulation,
    readonly node: string,
    seed: number,
  ) {
    const client = new EmbeddedLogClient(sim.system, { node, requestTimeoutMs: 1000 });
    this.consumer = new Consumer(client, sim.clock, {
      groupId: 'copier',
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
      maxPollRecords: 750,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 1000,
    });
    this.producer = new Producer(client, sim.clock, new SeededRandom(seed), {
      transactionalId: 'copier-tx',
      transactionTimeoutMs: 5000,
      requestTimeoutMs: 1000,
      maxBlockMs: 20_000,
      lingerMs: 2,
    });
    this.loop = this.run().catch((err: unknown) => {
      if (!this.stopped) this.fatal = `${node}: ${err instanceof Error ? err.message : String(err)}`;
    });
  }

  private async run(): Promise<void> {
    await this.producer.initTransactions();
    this.consumer.subscribe(['input']);
    while (!this.stopped) {
      const polled = await this.consumer.poll(200);
      if (polled.count === 0) continue;
      this.producer.beginTransaction();
      const offsets: { topic: string; partition: number; offset: number }[] = [];
      for (const records of polled.partitions.values()) {
        for (const r of records) {
          await this.producer.append({ topic: 'output', partition: r.partition, key: r.key, value: r.value });
        }
        const last = records.at(-1)!;
        offsets.push({ topic: 'input', partition: last.partition, offset: last.offset + 1 });
      }
      try {
        await this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata()!);
        await this.producer.commitTransaction();
        this.commits++;
      } catch (err) {
        if (!(err instanceof MillraceError) || this.producer.transactionState === 'fatalError') throw err;
        // Abortable (a rebalance, a refused send): abort and start again from the committed offsets.
        await this.producer.abortTransaction();
        this.aborts++;
        const assigned = this.consumer.assignment();
        const committed = await this.consumer.committed(assigned);
        for (const tp of assigned) {
          const offset = committed.get(`${tp.topic}-${tp.partition}`) ?? -1;
          if (offset >= 0) this.consumer.seek(tp, offset);
          else await this.consumer.seekToBeginning([tp]);
        }
      }
    }
  }

  /** Kills the instance: its node leaves the system, nothing is closed or committed. */
  kill(): void {
    this.stopped = true;
    this.sim.system.stopNode(this.node);
  }

  /** Whether the group has committed every input offset. */
  async done(ends: number[]): Promise<boolean> {
    const committed = await this.consumer.committed(ends.map((_, p) => ({ topic: 'input', partition: p })));
    return ends.every((end, p) => committed.get(`input-${p}`) === end);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.loop;
  }
}

async function run(seed: number): Promise<string[]> {
  const { sim, cluster, client, disks } = simulatedCluster(seed, BROKERS.length, {
    minDelayMs: 1,
    maxDelayMs: 5,
  });
  const chaos = new SeededRandom(seed ^ 0xc0b1);
  await sim.runFor(500);
  for (const name of ['input', 'output']) {
    await createTopicAndSettle(sim, client, {
      name,
      partitions: PARTITIONS,
      replicationFactor: 3,
      config: { minInsyncReplicas: 2 },
    });
  }
  const loader = new Producer(client, sim.clock, new SeededRandom(seed), { lingerMs: 5 });
  const load = (async () => {
    for (let n = 0; n < RECORDS; n++) {
      const partition = n % PARTITIONS;
      await loader.append({
        topic: 'input',
        partition,
        key: Buffer.from(`k${n % 97}`),
        value: Buffer.from(String(n)),
      });
    }
    await loader.flush();
  })();
  await settle(sim, load, 3_600_000);
  const ends: number[] = [];
  for (let p = 0; p < PARTITIONS; p++)
    ends.push((await settle(sim, client.listOffset('input', p, -1))).offset);

  let generation = 0;
  let copier = new Copier(sim, `copier-${generation}`, seed);
  const copiers = [copier];
  const faults: string[] = [];
  const startMs = sim.clock.nowMs();
  // Chaos: bounce a broker or the copier every few seconds, for a while.
  for (let round = 0; round < 8; round++) {
    await sim.runFor(1500 + chaos.nextInt(0, 2000));
    if (copier.fatal !== undefined) break;
    if (chaos.nextFloat() < 0.5) {
      const victim = BROKERS[chaos.nextInt(0, BROKERS.length - 1)]!;
      faults.push(`kill broker ${victim}`);
      cluster.killBroker(victim);
      disks.get(victim)!.crash(chaos);
      await sim.runFor(500 + chaos.nextInt(0, 1500));
      cluster.startBroker(victim);
    } else {
      // Bounce the copier once it is well into the copy, at a random moment (often mid-transaction).
      const target = copier.commits + chaos.nextInt(2, 12);
      for (let i = 0; i < 600 && copier.commits < target && copier.fatal === undefined; i++)
        await sim.runFor(100);
      await sim.runFor(chaos.nextInt(0, 60));
      faults.push(`bounce ${copier.node} after ${copier.commits} commits`);
      copier.kill();
      copier = new Copier(sim, `copier-${++generation}`, seed + generation);
      copiers.push(copier);
    }
  }
  // Quiet: let the last copier finish.
  for (let i = 0; i < 600 && copier.fatal === undefined; i++) {
    await sim.runFor(1000);
    if (await settle(sim, copier.done(ends)).catch(() => false)) break;
  }
  const violations: string[] = [];
  if (copier.fatal !== undefined) violations.push(`copier failed: ${copier.fatal}`);
  await settle(sim, copier.stop());
  await sim.runFor(10_000);
  for (let p = 0; p < PARTITIONS; p++) {
    const input = await readPartition(sim, client, 'input', p, 'read_committed');
    const output = await readPartition(sim, client, 'output', p, 'read_committed');
    const inValues = input.map((r) => r.value);
    const outValues = output.map((r) => r.value);
    if (inValues.length !== Math.ceil((RECORDS - p) / PARTITIONS))
      violations.push(`input-${p} holds ${inValues.length} records`);
    const firstDiff = inValues.findIndex((v, i) => outValues[i] !== v);
    if (firstDiff >= 0 || outValues.length !== inValues.length) {
      violations.push(
        `output-${p} differs from input-${p}: ${outValues.length} vs ${inValues.length} records, first difference at ${firstDiff} (${outValues[firstDiff]} vs ${inValues[firstDiff]})`,
      );
    }
    for (const topic of ['input', 'output']) {
      const hw = await settle(sim, client.listOffset(topic, p, -1));
      const lso = await settle(sim, client.listOffset(topic, p, -1, 'read_committed'));
      if (lso.offset !== hw.offset)
        violations.push(`${topic}-${p}: last stable offset ${lso.offset} ≠ high watermark ${hw.offset}`);
    }
  }
  if (process.env.VERBOSE)
    console.log(
      seed,
      `faults: ${faults.join('; ')}; commits per copier ${copiers.map((c) => c.commits).join(', ')}; aborts ${copiers.map((c) => c.aborts).join(', ')}; at ${sim.clock.nowMs() - startMs} ms`,
    );
  if (violations.length > 0) violations.unshift(`faults: ${faults.join('; ')}; commits ${copier.commits}`);
  return violations;
}

describe('transactional copy (simulation)', () => {
  it(`copies ${RECORDS} numbered records exactly once, in order per partition, while brokers and the copier are bounced`, async () => {
    const seeds = ONLY !== undefined ? [ONLY] : Array.from({ length: SEEDS }, (_, i) => i + 1);
    for (const seed of seeds) {
      const violations = await run(seed);
      if (violations.length > 0) {
        throw new Error(
          `seed ${seed} (replay: SEED=${seed} npx vitest run test/simulation/exactly-once/transactional-copy.simulation.test.ts)\n${violations.join('\n')}`,
        );
      }
    }
    expect(seeds.length).toBeGreaterThan(0);
  }, 900_000);
});
