/**
 * JSON values encoded as UTF-8 text. Convenient, not compact: prefer Avro for large volumes.
 */
import { SerializationError } from '../common/errors.js';
import type { Serde } from './serde.js';
import { stringSerde } from './string-serde.js';

/**
 * Options of a JSON serde.
 *
 * @example
 * ```ts
 * const options: JsonSerdeOptions<Point> = { name: 'point', validate: (v): v is Point => typeof (v as Point).x === 'number' };
 * ```
 */
export interface JsonSerdeOptions<T> {
  /**
   * Checks a parsed value before it is returned as a T; return false (or throw) to refuse it. Without
   * one, parsed JSON is trusted to be a T.
   */
  validate?: (value: unknown) => value is T;
  /** The name in error messages; `json` unless given. */
  name?: string;
}

/**
 * A serde for JSON-compatible values. Byte order of the text is not the order of the values, so
 * range scans over JSON keys do not run in numeric or field order.
 *
 * @example
 * ```ts
 * interface PageView { page: string; durationMs: number }
 * const serde = jsonSerde<PageView>();
 * serde.deserialize('views', serde.serialize('views', { page: '/', durationMs: 12 })!);
 * ```
 * @throws SerializationError when a value has no JSON form (undefined, a function, a bigint, a
 * cycle), when bytes are not UTF-8 JSON, or when `validate` refuses the parsed value.
 */
export function jsonSerde<T>(options: JsonSerdeOptions<T> = {}): Serde<T> {
  const name = options.name ?? 'json';
  const validate = options.validate;
  return Object.freeze({
    name,
    serialize(topic: string, value: T): Uint8Array {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (cause) {
        throw new SerializationError(name, topic, `the value has no JSON form (${String(cause)})`, { cause });
      }
      if (text === undefined) {
        throw new SerializationError(name, topic, `a ${typeof value} has no JSON form`);
      }
      return Buffer.from(text, 'utf8');
    },
    deserialize(topic: string, bytes: Uint8Array): T {
      let value: unknown;
      try {
        value = JSON.parse(stringSerde.deserialize(topic, bytes));
      } catch (cause) {
        const detail = cause instanceof SerializationError ? 'the bytes are not UTF-8' : String(cause);
        throw new SerializationError(name, topic, `${bytes.length} bytes are not JSON: ${detail}`, { cause });
      }
      if (validate !== undefined) {
        let ok = false;
        try {
          ok = validate(value);
        } catch (cause) {
          throw new SerializationError(name, topic, `the validator refused the value: ${String(cause)}`, {
            cause,
          });
        }
        if (!ok) throw new SerializationError(name, topic, 'the validator refused the parsed value');
      }
      return value as T;
    },
  });
}
