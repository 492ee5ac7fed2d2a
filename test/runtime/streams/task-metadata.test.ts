/**
 * The task metadata a stream thread commits beside its offsets: it round-trips, metadata another
 * client wrote (or that does not parse) reads as none, and a task over several partitions takes
 * the latest of each time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTaskMetadata,
  encodeTaskMetadata,
  mergeTaskMetadata,
} from '../../../src/runtime/streams/task-metadata.js';

const metadata = fc.record({
  streamTimeMs: fc.integer({ min: -1, max: 2 ** 50 }),
  processors: fc
    .dictionary(fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: -1, max: 2 ** 50 }))
    .map((d) => new Map(Object.entries(d))),
});

describe('task metadata', () => {
  it('round-trips, whatever the processor names', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        expect(decodeTaskMetadata(encodeTaskMetadata(m))).toEqual(m);
      }),
    );
  });

  it('reads metadata that is not millrace’s, or does not parse, as none', () => {
    for (const s of [
      undefined,
      '',
      'AQAAAZLj2kM=',
      'millrace/1 {',
      'millrace/1 {"t":"x","p":{}}',
      'millrace/1 null',
    ])
      expect(decodeTaskMetadata(s)).toBeUndefined();
  });

  it('merges a task’s partitions by the latest time of each', () => {
    const a = { streamTimeMs: 10, processors: new Map([['s', 5]]) };
    const b = {
      streamTimeMs: 7,
      processors: new Map([
        ['s', 9],
        ['t', 1],
      ]),
    };
    expect(mergeTaskMetadata([a, undefined, b])).toEqual({
      streamTimeMs: 10,
      processors: new Map([
        ['s', 9],
        ['t', 1],
      ]),
    });
    expect(mergeTaskMetadata([undefined])).toBeUndefined();
  });
});
