/**
 * The child process of the streams-app benchmarks (app-stateless, app-scaling, app-windowed): runs
 * one configuration (broker + app, see app-bench-setup.ts) in a fresh Node process and prints its
 * result as JSON on the last line. `runAppIsolated` starts it from the parent on a settled disk.
 */
import { execFileSync } from 'node:child_process';
import { type AppRunResult, runApp } from './app-bench-setup.js';
import { runChild } from './cluster-setup.js';
import { removeAndSettle } from './harness.js';

export type AppKind = 'stateless' | 'windowed';
export type Guarantee = 'exactly_once_v2' | 'at_least_once';

/** Commit interval of every configuration: Kafka Streams' default under exactly-once. */
export const COMMIT_INTERVAL_MS = 100;
/** Windowed app: 10 records per millisecond of event time (600 k per 1-minute window). */
export const windowedTimestampOf = (i: number): number => Math.floor(i / 10);

if (process.argv[2] === 'child') {
  const [kind, dataDir, guarantee, records, threads] = process.argv.slice(3);
  const windowed = kind === 'windowed';
  const result = await runApp({
    dataDir: dataDir!,
    appModule: new URL(windowed ? './app-windowed-app.ts' : './app-stateless-app.ts', import.meta.url),
    records: Number(records),
    threads: Number(threads),
    guarantee: guarantee as Guarantee,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    keys: 100_000,
    timestampOf: windowed ? windowedTimestampOf : (i) => i,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/**
 * One configuration in a fresh process on a settled disk (sync first); its directory is removed
 * and the removal synced afterwards, so the next run does not pay for this one's writeback.
 */
export function runAppIsolated(
  kind: AppKind,
  dir: string,
  guarantee: Guarantee,
  threads: number,
  records: number,
): AppRunResult {
  const runDir = `${dir}/${kind}-${guarantee}-${threads}`;
  execFileSync('sync');
  try {
    return runChild<AppRunResult>(import.meta.url, [
      kind,
      runDir,
      guarantee,
      String(records),
      String(threads),
    ]);
  } finally {
    removeAndSettle(runDir);
  }
}
