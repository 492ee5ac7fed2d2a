/**
 * The kill loop of the streams crash tests: runs the fixture process (an embedded broker and the
 * crash app with two worker threads) on one data directory, kills it with SIGKILL at seeded points
 * after its first commits, restarts it until it reports the input fully processed, and collects
 * what each run printed (restoration counts, changelog sizes, commits, kill delays).
 */
import { spawn } from 'node:child_process';
import { SeededRandom } from '../../../../src/runtime/actor/index.js';

const FIXTURE = new URL('./fixtures/app-until-killed.ts', import.meta.url).pathname;

/** The fixture's pause per input line: about 450 lines/s per thread, so kills land mid-input. */
export const LINE_DELAY_MS = 2;

export type Guarantee = 'exactly_once_v2' | 'at_least_once';

interface ThreadProgress {
  id: string;
  state: string;
  tasks: string[];
  commits: number;
  in: number;
  aborts: number;
  restored: number;
  fromScratch: number;
}

/** The app's poll size and commit interval in the fixture (20 records, 100 ms by default). */
export interface Tuning {
  maxPollRecords?: number;
  commitIntervalMs?: number;
}

/** What one fixture process did. */
export interface RunReport {
  /** `killed` by the test, or `finished` (processed everything and closed gracefully). */
  outcome: 'killed' | 'finished';
  /** For a kill: the planned delay after the first commit was seen, and the ms since spawn. */
  killDelayMs: number | undefined;
  killedAtMs: number | undefined;
  /** Committed changelog records (LSO) per changelog partition when the process started. */
  changelogEnds: Record<string, number>;
  /** Changelog records replayed into the stores (summed over threads), and scratch restorations. */
  restored: number;
  fromScratch: number;
  /** Commits and input records processed in this run (summed over threads). */
  commits: number;
  recordsIn: number;
  stderr: string;
}

/** Spawns the fixture; with `killDelayMs`, kills it that long after it first reports a commit. */
export function runFixture(
  dir: string,
  guarantee: Guarantee,
  records: number,
  killDelayMs: number | undefined,
  tuning: Tuning = {},
  timeoutMs = 120_000,
): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const args = [
      dir,
      guarantee,
      String(records),
      String(tuning.maxPollRecords ?? 20),
      String(tuning.commitIntervalMs ?? 100),
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MILLRACE_CRASH_LINE_DELAY_MS: String(LINE_DELAY_MS) },
    });
    const report: RunReport = {
      outcome: 'killed',
      killDelayMs,
      killedAtMs: undefined,
      changelogEnds: {},
      restored: 0,
      fromScratch: 0,
      commits: 0,
      recordsIn: 0,
      stderr: '',
    };
    let closed = false;
    let killScheduled = false;
    let buffered = '';
    const kill = () => {
      report.killedAtMs = Date.now() - started;
      child.kill('SIGKILL');
    };
    const watchdog = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the fixture ran over ${timeoutMs} ms: ${report.stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => {
      report.stderr += d;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const space = line.indexOf(' ');
        const kind = space < 0 ? line : line.slice(0, space);
        const rest = space < 0 ? '' : line.slice(space + 1);
        if (kind === 'changelogs') report.changelogEnds = JSON.parse(rest) as Record<string, number>;
        else if (kind === 'closed') closed = true;
        else if (kind === 'progress') {
          const threads = (JSON.parse(rest) as { threads: ThreadProgress[] }).threads;
          // Counters only grow within a run; a killed worker's last report is the last seen.
          const sum = (f: (t: ThreadProgress) => number) => threads.reduce((n, t) => n + f(t), 0);
          report.restored = Math.max(
            report.restored,
            sum((t) => t.restored),
          );
          report.fromScratch = Math.max(
            report.fromScratch,
            sum((t) => t.fromScratch),
          );
          report.commits = Math.max(
            report.commits,
            sum((t) => t.commits),
          );
          report.recordsIn = Math.max(
            report.recordsIn,
            sum((t) => t.in),
          );
          if (killDelayMs !== undefined && !killScheduled && report.commits > 0) {
            killScheduled = true;
            setTimeout(kill, killDelayMs);
          }
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (signal === 'SIGKILL' && report.killedAtMs !== undefined) resolve(report);
      else if (code === 0 && closed) resolve({ ...report, outcome: 'finished' });
      else reject(new Error(`the fixture exited with ${code ?? signal}: ${report.stderr}`));
    });
  });
}

/** The kill delays (ms after a run's first reported commit) a seed gives. */
export function killDelays(seed: number, kills: number, maxDelayMs: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: kills }, () => random.nextInt(0, maxDelayMs));
}

/** What a kill loop did. */
export interface KillLoopReport {
  runs: RunReport[];
  /** Runs the test killed before they finished. */
  kills: number;
}

/**
 * Runs the fixture on `dir`, killing run k after `delays[k]`, then lets a last run finish.
 * A run that finishes before its kill ends the loop early (the report says how many kills landed).
 */
export async function killLoop(
  dir: string,
  guarantee: Guarantee,
  records: number,
  delays: readonly number[],
  log: (line: string) => void,
  tuning: Tuning = {},
): Promise<KillLoopReport> {
  const runs: RunReport[] = [];
  let kills = 0;
  for (const delay of delays) {
    const run = await runFixture(dir, guarantee, records, delay, tuning);
    runs.push(run);
    log(
      `run ${runs.length}: ${run.outcome}${run.outcome === 'killed' ? ` ${delay} ms after its first commit (${run.killedAtMs} ms after spawn)` : ''}; ` +
        `${run.commits} commits, ${run.recordsIn} records in, restored ${run.restored} of ${sumOf(run.changelogEnds)} changelog offsets, ${run.fromScratch} from scratch`,
    );
    if (run.outcome === 'finished') return { runs, kills };
    kills++;
  }
  const last = await runFixture(dir, guarantee, records, undefined, tuning);
  runs.push(last);
  log(
    `run ${runs.length}: ${last.outcome}; ${last.commits} commits, ${last.recordsIn} records in, restored ${last.restored} of ${sumOf(last.changelogEnds)} changelog offsets, ${last.fromScratch} from scratch`,
  );
  return { runs, kills };
}

/** The sum of a record's values. */
export function sumOf(values: Record<string, number>): number {
  return Object.values(values).reduce((n, v) => n + v, 0);
}
