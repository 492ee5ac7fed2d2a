import { describe, expect, it } from 'vitest';
import { assert } from '../../src/common/assert.js';
import {
  AssertionFailedError,
  ConfigError,
  CorruptRecordError,
  IllegalStateError,
  LogCorruptedError,
  MillraceError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  StorageError,
  UnsupportedCompressionError,
} from '../../src/common/errors.js';

interface Case {
  error: MillraceError;
  type: new (...args: never[]) => MillraceError;
  name: string;
  code: string;
  retriable: boolean;
}

const cases: Case[] = [
  {
    error: new CorruptRecordError('bad crc'),
    type: CorruptRecordError,
    name: 'CorruptRecordError',
    code: 'CORRUPT_RECORD',
    retriable: false,
  },
  {
    error: new OffsetOutOfRangeError(42, 100, 200),
    type: OffsetOutOfRangeError,
    name: 'OffsetOutOfRangeError',
    code: 'OFFSET_OUT_OF_RANGE',
    retriable: false,
  },
  {
    error: new ConfigError('segmentBytes', 12, 'an integer from 1024 to 2147483647'),
    type: ConfigError,
    name: 'ConfigError',
    code: 'INVALID_CONFIG',
    retriable: false,
  },
  {
    error: new RecordTooLargeError('too big'),
    type: RecordTooLargeError,
    name: 'RecordTooLargeError',
    code: 'RECORD_TOO_LARGE',
    retriable: false,
  },
  {
    error: new UnsupportedCompressionError('zstd'),
    type: UnsupportedCompressionError,
    name: 'UnsupportedCompressionError',
    code: 'UNSUPPORTED_COMPRESSION_TYPE',
    retriable: false,
  },
  {
    error: new LogCorruptedError('/data/t-0', 'CRC mismatch at byte 4096', 812),
    type: LogCorruptedError,
    name: 'LogCorruptedError',
    code: 'LOG_CORRUPTED',
    retriable: false,
  },
  {
    error: new StorageError('fdatasync failed'),
    type: StorageError,
    name: 'StorageError',
    code: 'KAFKA_STORAGE_ERROR',
    retriable: false,
  },
  {
    error: new IllegalStateError('log is closed'),
    type: IllegalStateError,
    name: 'IllegalStateError',
    code: 'ILLEGAL_STATE',
    retriable: false,
  },
  {
    error: new AssertionFailedError('offsets go forward'),
    type: AssertionFailedError,
    name: 'AssertionFailedError',
    code: 'ASSERTION_FAILED',
    retriable: false,
  },
];

describe('the MillraceError hierarchy', () => {
  it.each(cases)('$name has the stable code $code and retriable $retriable', ({ error, code, retriable }) => {
    expect(error.code).toBe(code);
    expect(error.retriable).toBe(retriable);
  });

  it.each(cases)(
    '$name is an instance of itself, MillraceError and Error, and is named for its class',
    ({ error, type, name }) => {
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(MillraceError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
      expect(error.stack).toContain(name);
    },
  );

  it('every subclass is an instance of no other subclass', () => {
    for (const a of cases) {
      for (const b of cases) {
        if (a.type !== b.type) expect(a.error).not.toBeInstanceOf(b.type);
      }
    }
  });

  it('every code is distinct, so a code identifies its class', () => {
    const codes = cases.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('a MillraceError built directly keeps its code, retriable flag and message, and is named MillraceError', () => {
    const error = new MillraceError('NOT_LEADER', 'broker 2 is not the leader', true);
    expect(error.code).toBe('NOT_LEADER');
    expect(error.retriable).toBe(true);
    expect(error.message).toBe('broker 2 is not the leader');
    expect(error.name).toBe('MillraceError');
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('a subclass declared elsewhere is named for itself without doing anything', () => {
    class NotLeaderError extends MillraceError {
      constructor() {
        super('NOT_LEADER', 'not the leader', true);
      }
    }
    const error = new NotLeaderError();
    expect(error.name).toBe('NotLeaderError');
    expect(error.retriable).toBe(true);
  });

  it('carries the cause it was given', () => {
    const root = new Error('EIO');
    expect(new MillraceError('X', 'm', false, { cause: root }).cause).toBe(root);
    expect(new CorruptRecordError('bad', { cause: root }).cause).toBe(root);
    expect(new StorageError('fsync failed', { cause: root }).cause).toBe(root);
    expect(new LogCorruptedError('/d', 'bad', 3, { cause: root }).cause).toBe(root);
    // A cause need not be an Error; a falsy one is still kept.
    expect(new CorruptRecordError('bad', { cause: 0 }).cause).toBe(0);
    expect(new CorruptRecordError('bad', { cause: null }).cause).toBeNull();
  });

  it('OffsetOutOfRangeError keeps its offsets and says what to do', () => {
    const error = new OffsetOutOfRangeError(42, 100, 200);
    expect([error.offset, error.logStartOffset, error.logEndOffset]).toEqual([42, 100, 200]);
    expect(error.message).toContain('42');
    expect(error.message).toContain('[100, 200]');
    expect(error.message).toMatch(/seek to the earliest or latest/);
  });

  it('LogCorruptedError keeps its directory and first bad offset and names both in its message', () => {
    const error = new LogCorruptedError('/data/t-0', 'segment 0: CRC mismatch', 812);
    expect(error.dir).toBe('/data/t-0');
    expect(error.firstBadOffset).toBe(812);
    expect(error.message).toContain('/data/t-0');
    expect(error.message).toContain('segment 0: CRC mismatch');
    expect(error.message).toContain('repairCorruption: true');
    expect(error.message).toContain('812');
  });

  it('UnsupportedCompressionError keeps the codec and suggests a supported one', () => {
    const error = new UnsupportedCompressionError('zstd');
    expect(error.codec).toBe('zstd');
    expect(error.message).toContain('zstd');
    expect(error.message).toMatch(/'none' or 'gzip'/);
  });

  it('StorageError says the log has stopped', () => {
    expect(new StorageError('fdatasync failed').message).toBe(
      'fdatasync failed; the log has stopped and must be reopened',
    );
  });

  it('AssertionFailedError says an invariant was violated', () => {
    expect(new AssertionFailedError('offsets go forward').message).toBe(
      'invariant violated: offsets go forward',
    );
  });
});

describe('ConfigError', () => {
  it('names the key, the value and what is expected', () => {
    const error = new ConfigError('segmentBytes', 12, 'an integer from 1024 to 2147483647');
    expect(error.key).toBe('segmentBytes');
    expect(error.message).toBe(
      'invalid config segmentBytes = 12: expected an integer from 1024 to 2147483647',
    );
  });

  it.each([
    ['a string, quoted', 'compact ', '"compact "'],
    ['a bigint, with its suffix', 10n, '10n'],
    ['an object, as JSON', { a: 1 }, '{"a":1}'],
    ['an array, as JSON', [1, 'x'], '[1,"x"]'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['NaN', Number.NaN, 'NaN'],
    ['a boolean', false, 'false'],
  ])('shows %s', (_what, value, shown) => {
    expect(new ConfigError('k', value, 'x').message).toBe(`invalid config k = ${shown}: expected x`);
  });

  it('still describes a value that JSON cannot serialise', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(new ConfigError('k', cyclic, 'x').message).toBe('invalid config k = [object Object]: expected x');
    expect(new ConfigError('k', { n: 1n }, 'x').message).toContain('[object Object]');
  });
});

describe('assert', () => {
  it('returns quietly when the condition holds', () => {
    expect(() => assert(true, 'never')).not.toThrow();
    expect(() => assert(1, 'never')).not.toThrow();
    expect(() => assert('x', 'never')).not.toThrow();
  });

  it.each([false, 0, '', null, undefined, Number.NaN])(
    'throws AssertionFailedError for the falsy condition %s',
    (condition) => {
      let thrown: unknown;
      try {
        assert(condition, 'offsets go forward');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(AssertionFailedError);
      expect((thrown as AssertionFailedError).code).toBe('ASSERTION_FAILED');
      expect((thrown as AssertionFailedError).message).toBe('invariant violated: offsets go forward');
    },
  );

  it('narrows the type of what it checks', () => {
    const value: string | undefined = ['a'][0];
    assert(value !== undefined, 'present');
    // Compiles only because assert narrowed value to string.
    expect(value.length).toBe(1);
  });
});
