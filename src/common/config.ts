/**
 * Validation helpers for typed config objects. Each component declares its defaults in one place
 * and validates a user's partial config against them, so a bad value fails at construction with a
 * ConfigError that names the key, the value and what is accepted.
 */
import { ConfigError } from './errors.js';

/**
 * Checks that `value` is an integer in [min, max].
 *
 * @example
 * ```ts
 * const segmentBytes = intInRange('segmentBytes', cfg.segmentBytes, 1024, 2 ** 31 - 1);
 * ```
 * @throws ConfigError when it is not.
 */
export function intInRange(key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Checks that `value` is one of `allowed`.
 *
 * @example
 * ```ts
 * const policy = oneOf('cleanupPolicy', cfg.cleanupPolicy, ['delete', 'compact'] as const);
 * ```
 * @throws ConfigError when it is not.
 */
export function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * Checks that `value` is a boolean.
 *
 * @example
 * ```ts
 * const verify = bool('verifyCrcOnRead', cfg.verifyCrcOnRead);
 * ```
 * @throws ConfigError when it is not.
 */
export function bool(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(key, value, 'true or false');
  return value;
}

/**
 * Refuses keys that the component does not know, so a misspelt option is an error, not a silent
 * default.
 *
 * @example
 * ```ts
 * rejectUnknownKeys('LogConfig', userConfig, Object.keys(DEFAULT_LOG_CONFIG));
 * ```
 * @throws ConfigError naming the first unknown key.
 */
export function rejectUnknownKeys(component: string, config: object, known: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        key,
        (config as Record<string, unknown>)[key],
        `a key of ${component}: ${known.join(', ')}`,
      );
    }
  }
}
