#!/usr/bin/env node
// Runs vitest, then prints the closing line CI reads: "N passed, N failed" from vitest's JSON
// results. The exit code is vitest's, so a failing test fails CI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const RESULTS = '.vitest-results.json';
rmSync(RESULTS, { force: true });
const run = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
let passed = 0;
let failed = 0;
if (existsSync(RESULTS)) {
  const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0);
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : (run.status ?? 1) || 1);
