import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { parseLogDemoArgs } from '../../src/cli/args.js';
import { isMainModule, main } from '../../src/cli/main.js';
import { batchRecordsCount, batchSizeAt } from '../../src/log/format/batch-layout.js';
import { decodeRecords } from '../../src/log/format/record-batch-decoder.js';
import { PartitionLog } from '../../src/log/storage/partition-log.js';
import { realClock } from '../../src/runtime/actor/real-clock.js';

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
const dirs: string[] = [];

const printed = (spy: MockInstance<typeof console.log>) => spy.mock.calls.map((c) => c.join(' ')).join('\n');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-cli-test-'));
  dirs.push(dir);
  return dir;
}

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('millrace main', () => {
  it('prints usage for --help and for no arguments, naming log-demo and the coming run', async () => {
    expect(await main(['--help'])).toBe(0);
    const usage = printed(log);
    expect(usage).toMatch(/^usage: millrace <command>/);
    expect(usage).toContain('log-demo');
    expect(usage).toMatch(/run.*arrives with the streams runtime/);
    log.mockClear();
    expect(await main([])).toBe(0);
    expect(printed(log)).toBe(usage);
    expect(error).not.toHaveBeenCalled();
  });

  it('prints log-demo usage for log-demo --help without running it', async () => {
    expect(await main(['log-demo', '--help'])).toBe(0);
    expect(printed(log)).toMatch(/^usage: millrace log-demo \[--dir D\] \[--records N\]/);
  });

  it('returns 2 for an unknown command and names it', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(printed(error)).toContain("unknown command 'frobnicate'");
    expect(log).not.toHaveBeenCalled();
  });

  it('returns 2 for run, which is not there yet', async () => {
    expect(await main(['run'])).toBe(2);
    expect(printed(error)).toContain('arrives with the streams runtime');
  });

  it.each([
    [['--records', 'many'], "--records must be a whole number from 1 to 1,000,000,000, not 'many'"],
    [['--records', '0'], "not '0'"],
    [['--records=-5'], "not '-5'"],
    [['--records', '1.5'], "not '1.5'"],
    [['--records'], '--records needs a value'],
    [['--record-bytes', '9'], "--record-bytes must be a whole number from 10 to 1,000,000, not '9'"],
    [['--dir'], '--dir needs a value'],
    [['--bogus', '1'], "unknown option '--bogus' for log-demo"],
    [['stray'], "unexpected argument 'stray'"],
  ])('returns 2 for log-demo %j with a clear message', async (args, message) => {
    expect(await main(['log-demo', ...args])).toBe(2);
    expect(printed(error)).toContain(message);
    expect(log).not.toHaveBeenCalled();
  });

  it('returns 2 when --dir is not empty, writing nothing there', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    expect(await main(['log-demo', '--dir', dir, '--records', '10'])).toBe(2);
    expect(printed(error)).toContain('is not empty');
  });

  it('runs a small log-demo that leaves a log PartitionLog can reopen with every record', async () => {
    const dir = join(tempDir(), 'partition-0');
    expect(await main(['log-demo', '--dir', dir, '--records', '20000', '--record-bytes=50'])).toBe(0);
    expect(error).not.toHaveBeenCalled();
    const out = printed(log);
    expect(out).toContain('write   20,000 records');
    expect(out).toContain('clean shutdown yes');
    expect(out).toContain('read    20,000 records');
    expect(out).toContain('last offset 19999 value "0000019999');
    expect(out).not.toContain('removed');

    const reopened = PartitionLog.open({ dir, clock: realClock });
    try {
      expect(reopened.recovery.cleanShutdown).toBe(true);
      expect(reopened.logEndOffset).toBe(20000);
      let offset = 0;
      let count = 0;
      let lastValue = '';
      while (offset < reopened.logEndOffset) {
        const r = reopened.read(offset, 1 << 20);
        for (let pos = 0; pos < r.records.length; pos += batchSizeAt(r.records, pos)) {
          count += batchRecordsCount(r.records, pos);
        }
        const records = decodeRecords(r.records);
        lastValue = Buffer.from(records[records.length - 1]!.value!).toString('latin1');
        offset = r.nextOffset;
      }
      expect(count).toBe(20000);
      expect(lastValue).toHaveLength(50);
      expect(lastValue.startsWith('0000019999')).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('removes the temp directory it made when no --dir is given', async () => {
    expect(await main(['log-demo', '--records', '1000'])).toBe(0);
    const removed = /removed (\S+)/.exec(printed(log));
    expect(removed).not.toBeNull();
    expect(existsSync(removed![1]!)).toBe(false);
  });
});

describe('log-demo arguments', () => {
  it('takes defaults, both option forms and digit grouping', () => {
    expect(parseLogDemoArgs([])).toEqual({
      dir: undefined,
      records: 3_000_000,
      recordBytes: 100,
      help: false,
    });
    expect(parseLogDemoArgs(['--dir=/x', '--records', '20_000', '--record-bytes', '10'])).toEqual({
      dir: '/x',
      records: 20000,
      recordBytes: 10,
      help: false,
    });
  });
});

describe('isMainModule', () => {
  it('is false when the script is another file or missing', () => {
    expect(isMainModule(import.meta.url, undefined)).toBe(false);
    expect(isMainModule(import.meta.url, '/no/such/script.js')).toBe(false);
    expect(isMainModule(import.meta.url, new URL(import.meta.url).pathname)).toBe(true);
  });
});
