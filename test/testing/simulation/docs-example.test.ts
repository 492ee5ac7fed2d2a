/**
 * The worked example of docs/testing-exactly-once.md, run as a test so that it cannot rot: the
 * code between the markers is the page's example (the page imports from the package instead of
 * src/), and the last test checks that the page still shows exactly this code.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import { checkExactlyOnce, faultSchedule, inputRecords } from '../../../src/testing/index.js';

// docs:example:start
const S = Serdes.string();

/** The topology under test: lines in, a running count per word out. */
function wordCount() {
  const b = new StreamsBuilder();
  b.stream('lines', { key: S, value: S })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, word) => word, { key: S, value: S })
    .count({ as: 'counts' })
    .toStream()
    .mapValues((n) => String(n))
    .to('word-counts', { value: S });
  return b.build();
}

/** Up to 30 lines of a few words each, keyed by line number. */
const lines = inputRecords({
  topic: 'lines',
  key: fc.nat(999).map((n) => `line-${n}`),
  value: fc
    .array(fc.constantFrom('to', 'be', 'or', 'not'), { minLength: 1, maxLength: 4 })
    .map((w) => w.join(' ')),
  maxLength: 30,
});

describe('word count', () => {
  it('counts every line exactly once through crashes, rebalances, stalls and broker restarts', async () => {
    await checkExactlyOnce({
      app: wordCount,
      inputs: lines,
      faults: faultSchedule({
        kinds: ['crashInstance', 'addInstance', 'removeInstance', 'stallInstance', 'killBroker'],
        maxFaults: 3,
      }),
      // Counts of one word come out in order; different words interleave as they please.
      outputOrder: 'key',
      numRuns: 3,
      traceFile: 'word-count-eos-failure.txt',
    });
  }, 300_000);
});
// docs:example:end

describe('docs/testing-exactly-once.md', () => {
  it('shows the example above, as it is tested', () => {
    const withoutImports = (code: string) =>
      code
        .split('\n')
        .filter((line) => !line.startsWith('import '))
        .join('\n')
        .trim();
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const tested = self.slice(
      self.indexOf('// docs:example:start') + '// docs:example:start'.length,
      self.indexOf('// docs:example:end'),
    );
    const page = readFileSync(new URL('../../../docs/testing-exactly-once.md', import.meta.url), 'utf8');
    const block = /<!-- example: tested by [^>]+ -->\s*```ts\n([\s\S]*?)```/.exec(page)?.[1];
    expect(block, 'the page has the example block').toBeDefined();
    expect(withoutImports(block!)).toBe(withoutImports(tested));
  });
});
