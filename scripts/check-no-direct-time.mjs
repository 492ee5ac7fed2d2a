#!/usr/bin/env node
// DESIGN.md §4: time and randomness are injected. This check fails on direct use of the ambient
// clock, timers or PRNG under src/, except in the files that implement the real Clock and Random.
//
// Usage: node scripts/check-no-direct-time.mjs [root]
// Scans <root>/src (root defaults to the repository root); the allowlist is relative to root.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT =
  process.argv[2] === undefined ? fileURLToPath(new URL('..', import.meta.url)) : resolve(process.argv[2]);
const ALLOWED = new Set(['src/runtime/actor/real-clock.ts', 'src/runtime/actor/real-random.ts']);
const BANNED = [
  { re: /\bDate\.now\s*\(/, what: 'Date.now()' },
  { re: /\bnew\s+Date\s*\(\s*\)/, what: 'new Date()' },
  { re: /(?<![.\w])setTimeout\s*\(/, what: 'setTimeout' },
  { re: /(?<![.\w])setInterval\s*\(/, what: 'setInterval' },
  { re: /\bglobalThis\.set(Timeout|Interval)\b/, what: 'globalThis timers' },
  { re: /\bMath\.random\s*\(/, what: 'Math.random()' },
  { re: /\bperformance\.now\s*\(/, what: 'performance.now()' },
  { re: /from\s+['"]node:timers(\/promises)?['"]/, what: 'node:timers' },
];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield path;
  }
}

const SRC = join(ROOT, 'src');
if (!existsSync(SRC) || !statSync(SRC).isDirectory()) {
  console.error(`no src/ directory under ${ROOT}; pass the root of a millrace checkout`);
  process.exit(2);
}

const problems = [];
for (const file of walk(SRC)) {
  const rel = relative(ROOT, file).split(sep).join('/');
  if (ALLOWED.has(rel)) continue;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    for (const { re, what } of BANNED) {
      if (re.test(code))
        problems.push(
          `${rel}:${i + 1}: direct ${what}; take time from the injected Clock and randomness from Random (DESIGN.md §4)`,
        );
    }
  });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} direct use(s) of ambient time or randomness under src/.`);
  process.exit(1);
}
console.log('no direct time or randomness under src/');
