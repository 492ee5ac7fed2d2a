/**
 * Raw bytes, as Kafka's ByteArraySerde: the value is its own encoding.
 */
import { SerializationError } from '../common/errors.js';
import type { Serde } from './serde.js';

/**
 * The identity serde for byte arrays. `serialize` returns the array itself (stores copy what they
 * keep, so the caller may reuse it); `deserialize` returns a copy, because the bytes it is given may
 * be owned by a store and must not be changed through the result.
 *
 * @example
 * ```ts
 * bytesSerde.serialize('raw', new Uint8Array([1, 2])); // Uint8Array [1, 2]
 * ```
 * @throws SerializationError when a value to serialize is not a Uint8Array.
 */
export const bytesSerde: Serde<Uint8Array> = Object.freeze({
  name: 'bytes',
  serialize(topic: string, value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new SerializationError(
        'bytes',
        topic,
        `cannot serialize a ${typeof value}; expected a Uint8Array`,
      );
    }
    return value;
  },
  deserialize(_topic: string, bytes: Uint8Array): Uint8Array {
    // Not bytes.slice(): on a Buffer that is a view of the same memory.
    const out = Buffer.allocUnsafe(bytes.length);
    out.set(bytes);
    return out;
  },
});
