/**
 * `npm run bench` runs every benchmark in benchmarks/ (`<name>.bench.ts`, default export a
 * Benchmark); `npm run bench -- <name> [<name>…]` runs only those. Each prints its table and writes
 * benchmarks/results/<name>.json (DESIGN.md §10). Benchmarks run one after another, never at once:
 * the machine has two cores and a noisy disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, formatTable, meetsGoal, toResult, writeResult } from './harness.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const SUFFIX = '.bench.ts';

function available(): string[] {
  return fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

async function load(name: string): Promise<Benchmark> {
  const mod = (await import(pathToFileURL(path.join(BENCH_DIR, `${name}${SUFFIX}`)).href)) as {
    default?: Benchmark;
  };
  const bench = mod.default;
  if (bench === undefined || typeof bench.run !== 'function' || typeof bench.name !== 'string') {
    throw new Error(`benchmarks/${name}${SUFFIX} must export default { name, run(): Promise<Figure[]> }`);
  }
  return bench;
}

async function main(args: string[]): Promise<number> {
  const names = available();
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`usage: npm run bench [-- <name>…]\nbenchmarks: ${names.join(', ') || '(none)'}`);
    return 0;
  }
  const unknown = args.filter((a) => !names.includes(a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; available: ${names.join(', ') || '(none)'}`);
    return 2;
  }
  const chosen = args.length > 0 ? args : names;
  let failedGoals = 0;
  for (const name of chosen) {
    const bench = await load(name);
    process.stderr.write(`running ${bench.name}\n`);
    const start = performance.now();
    const figures = await bench.run();
    const seconds = (performance.now() - start) / 1000;
    console.log(`\n${formatTable(bench.name, figures)}`);
    const file = writeResult(RESULTS_DIR, toResult(bench.name, figures));
    console.log(`(${seconds.toFixed(1)} s; wrote ${path.relative(process.cwd(), file)})`);
    failedGoals += figures.filter((f) => meetsGoal(f) === false).length;
  }
  // Missing a goal is a finding, not a crash: report it, but exit 0 so a full run completes.
  if (failedGoals > 0) console.log(`\n${failedGoals} figure(s) below goal`);
  return 0;
}

let settled = false;
// A benchmark awaiting a promise that never settles would otherwise end the process silently.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  console.error('a benchmark never finished: it awaited a promise that nothing will settle');
  process.exitCode = 1;
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    settled = true;
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
