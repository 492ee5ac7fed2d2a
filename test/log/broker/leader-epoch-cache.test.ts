import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEADER_EPOCH_FILE, LeaderEpochCache } from '../../../src/log/broker/leader-epoch-cache.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';

const DIR = '/p';
const fresh = () => {
  const fs = new MemoryStorageFs();
  fs.mkdirp(DIR);
  return fs;
};

describe('LeaderEpochCache', () => {
  it('answers where an epoch ends, and for an unknown epoch about the largest one below it', () => {
    const fs = fresh();
    const cache = LeaderEpochCache.open(fs, DIR, 0);
    cache.assign(0, 0);
    cache.assign(2, 10);
    cache.assign(5, 25);
    expect(cache.endOffsetFor(0, 40)).toEqual({ epoch: 0, endOffset: 10 });
    expect(cache.endOffsetFor(1, 40)).toEqual({ epoch: 0, endOffset: 10 });
    expect(cache.endOffsetFor(2, 40)).toEqual({ epoch: 2, endOffset: 25 });
    expect(cache.endOffsetFor(5, 40)).toEqual({ epoch: 5, endOffset: 40 });
    expect(cache.endOffsetFor(9, 40)).toEqual({ epoch: 5, endOffset: 40 });
    expect(cache.epochAt(9)).toBe(0);
    expect(cache.epochAt(10)).toBe(2);
    expect(cache.epochAt(39)).toBe(5);
  });

  it('survives a reopen, drops entries past the log end, and ignores older epochs', () => {
    const fs = fresh();
    const cache = LeaderEpochCache.open(fs, DIR, 0);
    cache.assign(1, 0);
    cache.assign(3, 7);
    cache.assign(2, 9);
    expect(LeaderEpochCache.open(fs, DIR, 100).list()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 7 },
    ]);
    expect(LeaderEpochCache.open(fs, DIR, 7).list()).toEqual([{ epoch: 1, startOffset: 0 }]);
  });

  it('treats a damaged file as an empty cache rather than trusting it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (garbage) => {
        const fs = fresh();
        fs.setContents(`${DIR}/${LEADER_EPOCH_FILE}`, garbage);
        expect(LeaderEpochCache.open(fs, DIR, 100).list()).toEqual([]);
      }),
    );
  });
});
