/** Input for the word count: lines of a few words, keyed by line number. */
import fc from 'fast-check';
import { SeededRandom } from '../../../src/runtime/actor/index.js';
import { type InputRecord, inputRecords } from '../../../src/testing/index.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta'];

/** `n` lines drawn from `seed`: fixed input, so the fault-free reference runs once. */
export function fixedLines(seed: number, n: number): InputRecord[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    topic: 'lines',
    key: `l${i}`,
    value: Array.from(
      { length: random.nextInt(1, 4) },
      () => WORDS[random.nextInt(0, WORDS.length - 1)]!,
    ).join(' '),
  }));
}

/** Generated lines (they shrink to fewer and shorter lines). */
export function arbitraryLines(maxLength = 30): fc.Arbitrary<InputRecord[]> {
  return inputRecords({
    topic: 'lines',
    key: fc.nat(999).map((n) => `l${n}`),
    value: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
    minLength: 1,
    maxLength,
  });
}
