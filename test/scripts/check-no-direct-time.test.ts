import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'scripts', 'check-no-direct-time.mjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCheck(...args: string[]): Run {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDirs: string[] = [];

/** A temp tree with the given files (paths relative to its root); returns the root. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'millrace-no-direct-time-'));
  tempDirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-no-direct-time', () => {
  it('passes on the real source tree', () => {
    const run = runCheck();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no direct time or randomness under src/');
  });

  it('passes on the real source tree when the repository root is given explicitly', () => {
    expect(runCheck(REPO_ROOT).status).toBe(0);
  });

  it('fails on a file using each banned call, naming the file, line and call', () => {
    const root = fixture({
      'src/x.ts': [
        'export const a = Date.now();',
        'setTimeout(() => {}, 10);',
        'export const b = Math.random();',
        'export const c = performance.now();',
        'export const d = new Date();',
      ].join('\n'),
    });
    const run = runCheck(root);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('src/x.ts:1: direct Date.now()');
    expect(run.stderr).toContain('src/x.ts:2: direct setTimeout');
    expect(run.stderr).toContain('src/x.ts:3: direct Math.random()');
    expect(run.stderr).toContain('src/x.ts:4: direct performance.now()');
    expect(run.stderr).toContain('src/x.ts:5: direct new Date()');
    expect(run.stderr).toContain('5 direct use(s)');
  });

  it.each([
    ['Date.now()', 'const t = Date.now();'],
    ['setTimeout', 'setTimeout(tick, 5);'],
    ['setInterval', 'setInterval(tick, 5);'],
    ['globalThis timers', 'globalThis.setTimeout(tick, 5);'],
    ['Math.random()', 'const r = Math.random();'],
    ['performance.now()', 'const t = performance.now();'],
    ['new Date()', 'const d = new Date( );'],
    ['node:timers', "import { setTimeout as sleep } from 'node:timers/promises';"],
  ])('fails on a lone use of %s', (what, line) => {
    const run = runCheck(fixture({ 'src/deep/nested/y.ts': `// header\n${line}\n` }));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`src/deep/nested/y.ts:2: direct ${what}`);
  });

  it('checks .mts, .js and .mjs files as well as .ts', () => {
    const root = fixture({
      'src/a.mts': 'Date.now();',
      'src/b.js': 'Date.now();',
      'src/c.mjs': 'Date.now();',
      'src/d.json': '{"x": "Date.now()"}',
    });
    const run = runCheck(root);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('src/a.mts:1');
    expect(run.stderr).toContain('src/b.js:1');
    expect(run.stderr).toContain('src/c.mjs:1');
    expect(run.stderr).not.toContain('src/d.json');
  });

  it('passes a file that mentions the calls only in // comments', () => {
    const root = fixture({
      'src/x.ts': [
        '// Never call Date.now() or setTimeout( here; Math.random() and performance.now() are banned,',
        '// and so is new Date().',
        'export const ok = 1; // not Date.now()',
      ].join('\n'),
    });
    const run = runCheck(root);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('passes uses that are not the ambient ones: a Clock method, a Date with an argument, a member setTimeout', () => {
    const root = fixture({
      'src/x.ts': [
        'export const t = clock.nowMs();',
        'export const d = new Date(t);',
        'clock.setTimeout(cb, 5);',
        'export const r = random.nextFloat();',
        'export const parsed = Date.parse("2024-01-01");',
      ].join('\n'),
    });
    expect(runCheck(root).status).toBe(0);
  });

  it('allows the real Clock and Random implementations, relative to the scanned root', () => {
    const root = fixture({
      'src/runtime/actor/real-clock.ts': 'Date.now(); performance.now(); setTimeout(cb, 1);',
      'src/runtime/actor/real-random.ts': 'Math.random();',
    });
    expect(runCheck(root).status).toBe(0);
  });

  it('does not allow a file that merely shares an allowed file’s name elsewhere', () => {
    const root = fixture({ 'src/other/real-clock.ts': 'Date.now();' });
    const run = runCheck(root);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('src/other/real-clock.ts:1');
  });

  it('scans only src/ under the root', () => {
    const root = fixture({
      'src/ok.ts': 'export {};',
      'test/x.test.ts': 'Date.now();',
      'scripts/s.mjs': 'Date.now();',
    });
    expect(runCheck(root).status).toBe(0);
  });

  it('fails with a clear message when the root has no src/ directory', () => {
    const root = fixture({ 'README.md': 'nothing here' });
    const run = runCheck(root);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('no src/ directory');
  });
});
