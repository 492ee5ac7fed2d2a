/**
 * Shared benchmark harness (DESIGN.md §10): the Benchmark and Figure types, timing, temp
 * directories, garbage collection between runs, the results table and the results JSON.
 *
 * Benchmarks live outside src/, so they may read the ambient clock directly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * One measured figure. With a `baseline` (measured in the same run), `ratio` is value / baseline
 * and `goal` is the least acceptable ratio; without one, `goal` is the least acceptable value in
 * `unit`. Every figure is higher-is-better.
 */
export interface Figure {
  metric: string;
  unit: string;
  value: number;
  baseline?: number;
  ratio?: number;
  goal?: number;
  /** Printed under the table and kept in the JSON's `notes`, not in the figure itself. */
  note?: string;
}

/** A benchmark module's default export: `benchmarks/<name>.bench.ts`. */
export interface Benchmark {
  name: string;
  run(): Promise<Figure[]>;
}

/** The results file of one benchmark, as DESIGN.md §10 specifies it (plus free-text notes). */
export interface BenchmarkResult {
  name: string;
  figures: Omit<Figure, 'note'>[];
  notes?: string[];
}

/** 10^6 bytes: MB/s here is decimal, as dd and disk vendors report it. */
export const MB = 1_000_000;
export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * 1024 * 1024;

/** Milliseconds from a monotonic, high-resolution clock. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Decimal megabytes per second. */
export function mbPerSec(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

/** Items per second. */
export function perSec(count: number, ms: number): number {
  return count / (ms / 1000);
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Yields to the event loop once (lets timers and I/O callbacks run, as a server loop would). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let gcFunction: (() => void) | undefined;

/** Runs a full garbage collection, so one run's garbage is not collected during the next. */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** Heap, external and RSS sizes in bytes, for allocation deltas. */
export function memorySnapshot(): { heapUsed: number; external: number; rss: number } {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

/** Makes a temp directory under os.tmpdir(), runs `fn` in it and removes it afterwards. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `millrace-bench-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Removes a file or directory tree and fsyncs its parent, so the file system's work for the removal
 * (a journal commit, with discards on a `discard` mount) happens now, not inside the next timed run.
 */
export function removeAndSettle(target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
  const fd = fs.openSync(path.dirname(target), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Prints a progress line on stderr (the table goes to stdout). */
export function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}

/** Rounds for display and JSON: whole numbers from 100 up, three significant digits below. */
export function roundFigure(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

/** Whether a figure meets its goal; undefined when it has none. */
export function meetsGoal(f: Figure): boolean | undefined {
  if (f.goal === undefined) return undefined;
  return (f.ratio ?? f.value) >= f.goal;
}

/** Builds a figure, computing the ratio when there is a baseline. */
export function figure(
  metric: string,
  unit: string,
  value: number,
  extra: { baseline?: number; goal?: number; note?: string } = {},
): Figure {
  const f: Figure = { metric, unit, value };
  if (extra.baseline !== undefined) {
    f.baseline = extra.baseline;
    f.ratio = value / extra.baseline;
  }
  if (extra.goal !== undefined) f.goal = extra.goal;
  if (extra.note !== undefined) f.note = extra.note;
  return f;
}

/** The figures as a fixed-width table, notes numbered beneath it. */
export function formatTable(name: string, figures: readonly Figure[]): string {
  const header = ['metric', 'unit', 'value', 'baseline', 'ratio', 'goal', 'ok?'];
  const notes: string[] = [];
  const rows = figures.map((f) => {
    let metric = f.metric;
    if (f.note !== undefined) {
      notes.push(f.note);
      metric += ` [${notes.length}]`;
    }
    const ok = meetsGoal(f);
    return [
      metric,
      f.unit,
      formatNumber(roundFigure(f.value)),
      f.baseline === undefined ? '' : formatNumber(roundFigure(f.baseline)),
      f.ratio === undefined ? '' : f.ratio.toFixed(3),
      f.goal === undefined ? '' : formatNumber(f.goal),
      ok === undefined ? '' : ok ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = [false, false, true, true, true, true, false];
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const out = [`${name}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  notes.forEach((n, i) => {
    out.push(`[${i + 1}] ${n}`);
  });
  return out.join('\n');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

/** The results JSON of a benchmark, figures rounded, notes collected at the top level. */
export function toResult(name: string, figures: readonly Figure[]): BenchmarkResult {
  const notes: string[] = [];
  const out = figures.map((f) => {
    if (f.note !== undefined) notes.push(`${f.metric}: ${f.note}`);
    const r: Omit<Figure, 'note'> = { metric: f.metric, unit: f.unit, value: roundFigure(f.value) };
    if (f.baseline !== undefined) r.baseline = roundFigure(f.baseline);
    if (f.ratio !== undefined) r.ratio = Number(f.ratio.toFixed(3));
    if (f.goal !== undefined) r.goal = f.goal;
    return r;
  });
  return notes.length > 0 ? { name, figures: out, notes } : { name, figures: out };
}

/** Writes `benchmarks/results/<name>.json` (the directory is git-ignored). */
export function writeResult(resultsDir: string, result: BenchmarkResult): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
