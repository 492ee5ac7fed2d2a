/**
 * UTF-8 strings, as Kafka's StringSerde. Decoding is strict: bytes that are not valid UTF-8 fail
 * with a SerializationError instead of turning into replacement characters, so a serde mix-up shows
 * at once. A byte-order mark is kept, so bytes round-trip exactly.
 */
import { SerializationError } from '../common/errors.js';
import type { Serde } from './serde.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The UTF-8 string serde. Byte order of the encoding is code-point order, so a state store's range
 * scans over string keys run in code-point order (which differs from JS `<` only for characters
 * outside the Basic Multilingual Plane against those from U+E000 up).
 *
 * @example
 * ```ts
 * const bytes = stringSerde.serialize('words', 'héllo'); // 68 c3 a9 6c 6c 6f
 * stringSerde.deserialize('words', bytes!); // 'héllo'
 * ```
 * @throws SerializationError when a value is not a string, or bytes are not valid UTF-8. Lone
 * surrogates in a string are encoded as U+FFFD, as every UTF-8 encoder does.
 */
export const stringSerde: Serde<string> = Object.freeze({
  name: 'string',
  serialize(topic: string, value: string): Uint8Array {
    if (typeof value !== 'string') {
      throw new SerializationError('string', topic, `cannot serialize a ${typeof value} as a string`);
    }
    return Buffer.from(value, 'utf8');
  },
  deserialize(topic: string, bytes: Uint8Array): string {
    try {
      return decoder.decode(bytes);
    } catch (cause) {
      throw new SerializationError('string', topic, `${bytes.length} bytes are not valid UTF-8`, { cause });
    }
  },
});
