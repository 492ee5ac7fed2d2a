import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStorageFs } from '../../../src/log/storage/fs/node-storage-fs.js';
import { PartitionLog } from '../../../src/log/storage/partition-log.js';
import { realClock } from '../../../src/runtime/actor/real-clock.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { runUntilKilled } from '../../support/run-until-killed.js';
import { batchOf, readAll } from './log-fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-log-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const FIXTURE = new URL('./fixtures/append-until-killed.ts', import.meta.url).pathname;

/** Runs the fixture until it has acknowledged `acks` writes, then kills it with SIGKILL. */
function appendUntilKilled(dir: string, acks: number): Promise<number> {
  return runUntilKilled(FIXTURE, [dir], acks);
}

describe('PartitionLog on the real disk', () => {
  it('keeps every acknowledged record when the process is killed with SIGKILL mid-append, twice', async () => {
    const dir = tempDir();
    const first = await appendUntilKilled(dir, 300);
    const second = await appendUntilKilled(dir, 200);
    const log = PartitionLog.open({ dir, clock: realClock, config: { segmentBytes: 64 * 1024 } });
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(log.logEndOffset).toBeGreaterThan(second);
    expect(second).toBeGreaterThan(first);
    const records = readAll(log, 0, 1 << 20);
    expect(records.length).toBe(log.logEndOffset);
    records.forEach((r, i) => {
      expect(r.offset).toBe(i);
      expect(r.value).toBe(`record-${i}-${'x'.repeat(i % 300)}`);
    });
    await log.close();
  }, 60_000);

  it('recovers a torn tail on disk and reopens cleanly after close', async () => {
    const dir = tempDir();
    const clock = new SimulatedClock(0);
    const fs = new NodeStorageFs();
    const log = PartitionLog.open({ dir, clock, fs, config: { flush: { intervalMs: 0 } } });
    for (let i = 0; i < 10; i++) log.append(batchOf([{ value: `v${i}`, timestamp: i }]));
    await log.flush();
    const last = log.append(batchOf([{ value: 'torn', timestamp: 99 }]));
    // Simulate a crash that tore the last write: cut the file inside the last batch, no close.
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!);
    truncateSync(segment, statSync(segment).size - Math.floor(last.bytes / 2));
    const again = PartitionLog.open({ dir, clock, fs });
    expect(again.recovery.truncatedBytes).toBeGreaterThan(0);
    expect(readAll(again).map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
    await again.close();
    const third = PartitionLog.open({ dir, clock, fs });
    expect(third.recovery.cleanShutdown).toBe(true);
    expect(third.logEndOffset).toBe(10);
    await third.close();
  });
});
