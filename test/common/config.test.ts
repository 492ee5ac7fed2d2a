import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bool, intInRange, oneOf, rejectUnknownKeys } from '../../src/common/config.js';
import { ConfigError } from '../../src/common/errors.js';

function thrownBy(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('intInRange', () => {
  it('returns every integer inside [min, max], including both ends', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), (a, b, c) => {
        const [min, value, max] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
        expect(intInRange('k', value, min, max)).toBe(value);
        expect(intInRange('k', min, min, max)).toBe(min);
        expect(intInRange('k', max, min, max)).toBe(max);
      }),
    );
  });

  it('refuses every integer outside [min, max] with a ConfigError naming the key, value and range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        (min, width, distance, below) => {
          const max = min + width;
          const value = below ? min - distance : max + distance;
          const error = thrownBy(() => intInRange('segmentBytes', value, min, max));
          expect(error.key).toBe('segmentBytes');
          expect(error.code).toBe('INVALID_CONFIG');
          expect(error.message).toBe(
            `invalid config segmentBytes = ${value}: expected an integer from ${min} to ${max}`,
          );
        },
      ),
    );
  });

  it.each([
    ['a fraction', 1.5, '1.5'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['a numeric string', '2048', '"2048"'],
    ['a bigint', 2048n, '2048n'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
  ])('refuses %s even when it would be in range', (_what, value, shown) => {
    const error = thrownBy(() => intInRange('segmentBytes', value, 0, 1e9));
    expect(error.message).toBe(
      `invalid config segmentBytes = ${shown}: expected an integer from 0 to 1000000000`,
    );
  });
});

describe('oneOf', () => {
  const policies = ['delete', 'compact'] as const;

  it('returns each allowed value', () => {
    for (const p of policies) expect(oneOf('cleanupPolicy', p, policies)).toBe(p);
  });

  it.each([
    ['a near miss', 'Compact', '"Compact"'],
    ['a padded value', 'delete ', '"delete "'],
    ['a non-string', 1, '1'],
    ['undefined', undefined, 'undefined'],
  ])('refuses %s, listing what is allowed', (_what, value, shown) => {
    const error = thrownBy(() => oneOf('cleanupPolicy', value, policies));
    expect(error.key).toBe('cleanupPolicy');
    expect(error.message).toBe(
      `invalid config cleanupPolicy = ${shown}: expected one of 'delete', 'compact'`,
    );
  });

  it('refuses a name inherited from Array.prototype or Object.prototype', () => {
    expect(() => oneOf('k', 'length', policies)).toThrow(ConfigError);
    expect(() => oneOf('k', 'toString', policies)).toThrow(ConfigError);
  });
});

describe('bool', () => {
  it('returns true and false', () => {
    expect(bool('verifyCrcOnRead', true)).toBe(true);
    expect(bool('verifyCrcOnRead', false)).toBe(false);
  });

  it.each([
    ['the string "true"', 'true', '"true"'],
    ['1', 1, '1'],
    ['0', 0, '0'],
    ['null', null, 'null'],
  ])('refuses %s', (_what, value, shown) => {
    const error = thrownBy(() => bool('verifyCrcOnRead', value));
    expect(error.key).toBe('verifyCrcOnRead');
    expect(error.message).toBe(`invalid config verifyCrcOnRead = ${shown}: expected true or false`);
  });
});

describe('rejectUnknownKeys', () => {
  const known = ['segmentBytes', 'retentionMs', 'cleanupPolicy'];

  it('accepts a config whose keys are all known, and an empty one', () => {
    expect(() => rejectUnknownKeys('LogConfig', { segmentBytes: 1, retentionMs: 2 }, known)).not.toThrow();
    expect(() => rejectUnknownKeys('LogConfig', {}, known)).not.toThrow();
  });

  it('refuses a misspelt key, naming it, its value, the component and the known keys', () => {
    const error = thrownBy(() =>
      rejectUnknownKeys('LogConfig', { segmentBytes: 1, retentionMS: 5000 }, known),
    );
    expect(error.key).toBe('retentionMS');
    expect(error.message).toBe(
      'invalid config retentionMS = 5000: expected a key of LogConfig: segmentBytes, retentionMs, cleanupPolicy',
    );
  });

  it('names the first unknown key when there are several', () => {
    const error = thrownBy(() => rejectUnknownKeys('LogConfig', { a: 1, segmentBytes: 2, b: 3 }, known));
    expect(error.key).toBe('a');
  });

  it('refuses any key not in the known list, for arbitrary key sets', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 6 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (knownKeys, extra) => {
          fc.pre(!knownKeys.includes(extra) && extra !== '__proto__');
          const config: Record<string, unknown> = {};
          for (const k of knownKeys) if (k !== '__proto__') config[k] = true;
          expect(() => rejectUnknownKeys('C', config, knownKeys)).not.toThrow();
          config[extra] = 'surprise';
          const error = thrownBy(() => rejectUnknownKeys('C', config, knownKeys));
          expect(error.key).toBe(extra);
        },
      ),
    );
  });

  it('ignores inherited properties and looks only at the config’s own keys', () => {
    const config = Object.create({ inherited: 1 }) as object;
    expect(() => rejectUnknownKeys('LogConfig', config, known)).not.toThrow();
  });
});
