/**
 * `millrace eos-demo`: exactly-once processing on the embedded broker, for real. A 3-broker
 * cluster on disk and the real clock; numbered records produced to `input` with the idempotent
 * producer; a transactional copier (eos-copier.ts) copying them to `output` while one broker is
 * killed and restarted; then `output` read back at read_committed and compared with `input`, and
 * every partition's last stable offset compared with its high watermark (eos-verify.ts). Time
 * comes from the injected real clock (DESIGN.md §4).
 */
import { rmSync } from 'node:fs';
import type { EmbeddedCluster } from '../log/broker/embedded-cluster.js';
import { createCluster } from '../log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../log/client/embedded-log-client.js';
import { Producer } from '../log/client/producer/producer.js';
import { realClock, realRandom } from '../runtime/actor/index.js';
import { type CopyOutcome, TransactionalCopier } from './eos-copier.js';
import { type BrokerKill, killAndRestart } from './eos-kill.js';
import {
  compareCopy,
  EOS_RECORD_BYTES,
  numberedValue,
  type PartitionEnds,
  partitionEnds,
  readCommitted,
  VerificationFailedError,
} from './eos-verify.js';
import { retrying } from './retrying.js';
import { prepareWorkDir } from './work-dir.js';

/**
 * What to run.
 *
 * @example
 * ```ts
 * const options: EosDemoOptions = { records: 20_000, txnRecords: 500, killBroker: true, keep: false };
 * ```
 */
export interface EosDemoOptions {
  /** The cluster's data directory (new or empty, kept afterwards); a temp directory when undefined. */
  dataDir?: string | undefined;
  records: number;
  txnRecords: number;
  killBroker: boolean;
  /** Keep the temp directory. */
  keep: boolean;
}

/**
 * What the demonstration did and found.
 *
 * @example
 * ```ts
 * const report = await runEosDemo({ records: 20_000, txnRecords: 1000, killBroker: true, keep: false });
 * console.log(report.copy.commits, report.kill?.brokerId);
 * ```
 */
export interface EosDemoReport {
  dataDir: string;
  records: number;
  produceMs: number;
  copyMs: number;
  copy: CopyOutcome;
  kill: BrokerKill | undefined;
  ends: PartitionEnds[];
}

const BROKERS = 3;
const PARTITIONS = 3;
const TOPIC = { partitions: PARTITIONS, replicationFactor: 3, config: { minInsyncReplicas: 2 } };
/** The copy fails if no transaction commits for this long (a failover takes a few seconds). */
const COPY_STALL_MS = 30_000;

/**
 * Runs the demonstration, printing each phase through `print`.
 *
 * @example
 * ```ts
 * const report = await runEosDemo({ records: 300_000, txnRecords: 1000, killBroker: true, keep: false });
 * ```
 * @throws UsageError when `dataDir` is not a new or empty directory; VerificationFailedError when
 * output is not exactly input or a transaction was left open; CopyStalledError when the copy
 * stops making progress; the cluster's errors.
 */
export async function runEosDemo(
  options: EosDemoOptions,
  print: (line: string) => void = (line) => console.log(line),
): Promise<EosDemoReport> {
  const { records, txnRecords } = options;
  const { dir, temporary } = prepareWorkDir(options.dataDir, '--data-dir', 'millrace-eos-demo-');
  const clock = realClock;
  print(
    `millrace eos-demo: ${n(records)} records through a ${BROKERS}-broker cluster in ${dir}${temporary ? ' (temporary)' : ''}`,
  );
  print(
    `  topics input and output: ${PARTITIONS} partitions, replication 3, min ISR 2; ` +
      `transactions of up to ${n(txnRecords)} records`,
  );
  let cluster: EmbeddedCluster | undefined;
  let client: EmbeddedLogClient | undefined;
  let kill: Promise<BrokerKill> | undefined;
  try {
    const started = clock.monotonicMs();
    cluster = createCluster({ brokers: BROKERS, dataDir: dir });
    await cluster.whenReady();
    client = new EmbeddedLogClient(cluster.system, { node: 'eos-demo', requestTimeoutMs: 2000 });
    for (const name of ['input', 'output']) await createTopic(client, name);
    print(`cluster  ${BROKERS} brokers up, topics created and led in ${ms(clock.monotonicMs() - started)}`);

    const produceMs = await produceNumbered(client, records);
    print(
      `produce  ${n(records)} records of ${EOS_RECORD_BYTES} B to input (idempotent producer, acks=all): ` +
        `${ms(produceMs)} → ${rate(records, produceMs)}`,
    );
    const inputEnds = (await partitionEnds(client, clock, 'input', PARTITIONS)).map((e) => e.highWatermark);

    const liveCluster = cluster;
    const liveClient = client;
    const copier = new TransactionalCopier(client, clock, realRandom, {
      from: 'input',
      to: 'output',
      partitions: PARTITIONS,
      groupId: 'eos-demo-copier',
      transactionalId: 'eos-demo-copier-1',
      txnRecords,
      onCommit: (copied) => {
        // Midway through the copy, a broker dies mid-stream and comes back a second later.
        if (options.killBroker && kill === undefined && copied >= records / 2) {
          kill = killAndRestart(liveCluster, liveClient, clock, copied);
          // Awaited after the copy; until then a failure must not count as unhandled.
          kill.catch(() => undefined);
        }
      },
    });
    const copyStart = clock.monotonicMs();
    let copy: CopyOutcome;
    try {
      copy = await copier.copyUntil(inputEnds, COPY_STALL_MS);
    } finally {
      await copier.close();
    }
    const copyMs = clock.monotonicMs() - copyStart;
    print(
      `copy     ${n(copy.copied)} records input → output in ${n(copy.commits)} transactions committed, ` +
        `${n(copy.aborts)} aborted: ${ms(copyMs)} → ${rate(copy.copied, copyMs)}`,
    );
    if (copy.lastAbortReason !== undefined) print(`         (last abort: ${copy.lastAbortReason})`);
    // The broker must be back (and its restart timer done) before reading and shutting down.
    const killed = kill === undefined ? undefined : await kill;
    print(killed === undefined ? 'kill     none (--no-kill-broker)' : `kill     ${describeKill(killed)}`);

    const input = await readCommitted(client, clock, 'input', PARTITIONS);
    const output = await readCommitted(client, clock, 'output', PARTITIONS);
    const problems = compareCopy(input, output, records);
    const ends = [
      ...(await partitionEnds(client, clock, 'input', PARTITIONS)),
      ...(await partitionEnds(client, clock, 'output', PARTITIONS)),
    ];
    for (const e of ends) {
      if (e.lastStableOffset !== e.highWatermark) {
        problems.push(
          `${e.topic}-${e.partition}: last stable offset ${e.lastStableOffset} ≠ high watermark ${e.highWatermark} (a transaction is still open)`,
        );
      }
    }
    print(
      problems.length === 0
        ? `verify   OK: output equals input exactly, in order, in all ${PARTITIONS} partitions ` +
            `(${output.map((p) => n(p.length)).join(' + ')} records, read_committed)`
        : `verify   FAILED: ${problems.join('; ')}`,
    );
    print(`lso      last stable offset vs high watermark: ${ends.map(describeEnds).join(', ')}`);
    print("         (output's offsets count the transactions' commit markers too)");
    if (problems.length > 0) throw new VerificationFailedError(problems);
    return { dataDir: dir, records, produceMs, copyMs, copy, kill: killed, ends };
  } finally {
    // A broker restart still pending must not land in a cluster being shut down.
    await kill?.catch(() => undefined);
    client?.close();
    await cluster?.shutdown();
    if (temporary && !options.keep) {
      rmSync(dir, { recursive: true, force: true });
      print(`removed ${dir}`);
    } else print(`kept ${dir}`);
  }
}

/** Creates a topic and waits until each of its partitions' leaders answers. */
async function createTopic(client: EmbeddedLogClient, name: string): Promise<void> {
  await client.createTopic({ name, ...TOPIC });
  for (let p = 0; p < PARTITIONS; p++)
    await retrying(realClock, () => client.listOffset(name, p, -1), 100, 20);
}

/** Produces records 0..count-1, record i to partition i mod 3; returns the time taken in ms. */
async function produceNumbered(client: EmbeddedLogClient, count: number): Promise<number> {
  const producer = new Producer(client, realClock, realRandom, {
    acks: 'all',
    lingerMs: 5,
    batchSize: 512 * 1024,
    requestTimeoutMs: 2000,
  });
  let failed: Error | undefined;
  const onDone = (err: Error | null) => {
    failed ??= err ?? undefined;
  };
  const start = realClock.monotonicMs();
  try {
    for (let i = 0; i < count; i++) {
      const record = { topic: 'input', partition: i % PARTITIONS, key: null, value: numberedValue(i) };
      if (!producer.tryAppend(record, onDone)) await producer.append(record, onDone);
      // The brokers share this thread: yield now and then so they take what is sent.
      if ((i & 1023) === 1023) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await producer.flush();
  } finally {
    await producer.close();
  }
  if (failed !== undefined) throw failed;
  return realClock.monotonicMs() - start;
}

function describeEnds(e: PartitionEnds): string {
  const same = e.lastStableOffset === e.highWatermark;
  return `${e.topic}-${e.partition} ${e.lastStableOffset} ${same ? '= HW' : `≠ HW ${e.highWatermark}`}`;
}

function describeKill(k: BrokerKill): string {
  const roles = [k.led.length > 0 ? `leader of ${k.led.join(', ')}` : 'leading nothing', ...k.coordinatorOf];
  const back =
    k.backInIsrMs === undefined
      ? 'not yet back in every ISR'
      : `back in the ISR of every partition ${ms(k.backInIsrMs)} after the restart`;
  return (
    `broker ${k.brokerId} (${roles.join('; ')}) killed at ${n(k.atCopied)} records copied, ` +
    `restarted ${(k.downMs / 1000).toFixed(1)} s later; ${back}`
  );
}

const n = (x: number) => x.toLocaleString('en-US');
const ms = (t: number) => `${n(Math.round(t))} ms`;

function rate(count: number, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return `${n(Math.round(count / seconds))} records/s, ${((count * EOS_RECORD_BYTES) / 1e6 / seconds).toFixed(1)} MB/s`;
}
