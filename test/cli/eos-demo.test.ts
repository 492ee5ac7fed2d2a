import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { EOS_DEMO_DEFAULTS, parseEosDemoArgs, UsageError } from '../../src/cli/args.js';
import { compareCopy, numberedValue } from '../../src/cli/eos-verify.js';
import { main } from '../../src/cli/main.js';

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
const dirs: string[] = [];

const printed = (spy: MockInstance<typeof console.log>) => spy.mock.calls.map((c) => c.join(' ')).join('\n');

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('eos-demo arguments', () => {
  it('takes 300,000 records, transactions of 1,000 and a broker kill by default', () => {
    expect(EOS_DEMO_DEFAULTS).toEqual({ records: 300_000, txnRecords: 1000, killBroker: true });
    expect(parseEosDemoArgs([])).toEqual({
      dataDir: undefined,
      records: 300_000,
      txnRecords: 1000,
      killBroker: true,
      keep: false,
      help: false,
    });
  });

  it('takes both option forms, digit grouping, --keep and --help', () => {
    expect(
      parseEosDemoArgs(['--records', '20_000', '--txn-records=250', '--data-dir', '/tmp/x', '--keep', '-h']),
    ).toEqual({
      dataDir: '/tmp/x',
      records: 20000,
      txnRecords: 250,
      killBroker: true,
      keep: true,
      help: true,
    });
  });

  it.each([
    [['--no-kill-broker'], false],
    [['--kill-broker'], true],
    [['--kill-broker=off'], false],
    [['--kill-broker', 'no'], false],
    [['--no-kill-broker', '--kill-broker', 'on'], true],
    [['--kill-broker', '--records', '5'], true],
  ])('reads the broker kill switch from %j as %s', (args, killBroker) => {
    expect(parseEosDemoArgs(args).killBroker).toBe(killBroker);
  });

  it.each([
    [['--records', 'lots'], "--records must be a whole number from 1 to 100,000,000, not 'lots'"],
    [['--records', '0'], "not '0'"],
    [['--records=-1'], "not '-1'"],
    [['--records', '100000001'], "not '100000001'"],
    [['--txn-records', '0'], "--txn-records must be a whole number from 1 to 1,000,000, not '0'"],
    [['--txn-records', '2.5'], "not '2.5'"],
    [['--txn-records'], '--txn-records needs a value'],
    [['--data-dir', '--keep'], '--data-dir needs a value'],
    [['--kill-broker=maybe'], "--kill-broker takes on or off, not 'maybe'"],
    [['--keep=yes'], '--keep takes no value'],
    [['--dir', '/tmp/x'], "unknown option '--dir' for eos-demo"],
    [['stray'], "unexpected argument 'stray' for eos-demo"],
  ])('refuses %j with a UsageError that says what was wrong', (args, message) => {
    expect(() => parseEosDemoArgs(args)).toThrow(UsageError);
    expect(() => parseEosDemoArgs(args)).toThrow(message);
  });

  it('makes main return 2 for bad eos-demo options, starting nothing', async () => {
    expect(await main(['eos-demo', '--records', 'many'])).toBe(2);
    expect(printed(error)).toContain("--records must be a whole number from 1 to 100,000,000, not 'many'");
    expect(log).not.toHaveBeenCalled();
  });

  it('makes main return 2 when --data-dir is not empty, touching nothing there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-eos-test-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    expect(await main(['eos-demo', '--data-dir', dir, '--records', '10'])).toBe(2);
    expect(printed(error)).toContain(`--data-dir ${dir} is not empty`);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });

  it('prints eos-demo usage for eos-demo --help, and the main usage lists eos-demo', async () => {
    expect(await main(['eos-demo', '--help'])).toBe(0);
    expect(printed(log)).toMatch(/^usage: millrace eos-demo \[--records N\]/);
    log.mockClear();
    expect(await main(['--help'])).toBe(0);
    expect(printed(log)).toMatch(/^ {2}eos-demo {3}copy records exactly once/m);
  });
});

describe('eos-demo verification', () => {
  const partitionOf = (records: number, partitions: number) =>
    Array.from({ length: partitions }, (_, p) =>
      Array.from({ length: Math.ceil((records - p) / partitions) }, (_, i) =>
        numberedValue(p + i * partitions).toString('latin1'),
      ),
    );

  it('finds nothing wrong with an exact copy of the numbered records', () => {
    expect(compareCopy(partitionOf(10, 3), partitionOf(10, 3), 10)).toEqual([]);
  });

  it('reports a doubled, a lost and a reordered record in the output', () => {
    const input = partitionOf(12, 3);
    const output = partitionOf(12, 3);
    output[0]!.splice(2, 0, output[0]![1]!);
    output[1]!.pop();
    [output[2]![0], output[2]![1]] = [output[2]![1]!, output[2]![0]!];
    const problems = compareCopy(input, output, 12);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe(
      'output-0 holds 5 records, input-0 4; first difference at offset 2 (output record 0000000003, input record 0000000006)',
    );
    expect(problems[1]).toContain('output-1 holds 3 records, input-1 4; first difference at offset 3');
    expect(problems[2]).toContain(
      'first difference at offset 0 (output record 0000000005, input record 0000000002)',
    );
  });

  it('reports an input that is not the numbered records produced', () => {
    const input = partitionOf(6, 3);
    input[1]!.push(input[1]![0]!);
    expect(compareCopy(input, input, 6)).toEqual([
      'input-1 holds 3 records, not 2',
      'input-1 offset 2 holds record 0000000001, not 7',
    ]);
  });
});

describe('millrace eos-demo', () => {
  it('copies 20,000 records exactly once through a broker kill and verifies the copy', async () => {
    expect(await main(['eos-demo', '--records', '20000'])).toBe(0);
    expect(error).not.toHaveBeenCalled();
    const out = printed(log);
    expect(out).toContain('produce  20,000 records of 100 B to input');
    expect(out).toMatch(/copy {5}20,000 records input → output in \d+ transactions committed, \d+ aborted/);
    expect(out).toMatch(/kill {5}broker \d \(.*\) killed at [\d,]+ records copied, restarted 1\.\d s later/);
    expect(out).toContain(
      'verify   OK: output equals input exactly, in order, in all 3 partitions (6,667 + 6,667 + 6,666 records, read_committed)',
    );
    expect(out).not.toContain('≠');
    const removed = /removed (\S+)/.exec(out);
    expect(removed).not.toBeNull();
    expect(existsSync(removed![1]!)).toBe(false);
  }, 30_000);
});
