/**
 * The Serde contract: how a typed key or value becomes the bytes that topics and state stores
 * hold, and back. A serde is stateless and shared; the topic (or store changelog) name it is given
 * is only for its error messages and for serdes that look schemas up by topic.
 */

/**
 * Turns values of type T into bytes and back.
 *
 * `serialize` may return null only where a null record value (a tombstone) is meant; state stores
 * refuse a key that serializes to null. `deserialize` is never given null: a null key or value
 * (a tombstone) is handled by the caller. Arrays passed to `deserialize` may be owned by a store:
 * a serde that returns them as they are must say so.
 *
 * @example
 * ```ts
 * const upper: Serde<string> = {
 *   name: 'upper',
 *   serialize: (_topic, value) => Buffer.from(value.toUpperCase()),
 *   deserialize: (_topic, bytes) => Buffer.from(bytes).toString(),
 * };
 * ```
 * @throws SerializationError from either method when the value or the bytes do not fit the serde.
 */
export interface Serde<T> {
  /** A short name for error messages, such as `int32` or `json`. */
  readonly name: string;
  /** The bytes of `value`, or null for "no value" where the serde allows it. */
  serialize(topic: string, value: T): Uint8Array | null;
  /** The value held in `bytes`. */
  deserialize(topic: string, bytes: Uint8Array): T;
}
