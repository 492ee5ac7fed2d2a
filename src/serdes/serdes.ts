/**
 * The built-in serdes under one name, in Kafka Streams' vocabulary: `Serdes.string()`,
 * `Serdes.json<T>()` and so on.
 */
import { type AvroSchema, type AvroSerdeOptions, avroSerde } from './avro-serde.js';
import { bytesSerde } from './bytes-serde.js';
import { type JsonSerdeOptions, jsonSerde } from './json-serde.js';
import { doubleSerde, int32Serde, int64BigIntSerde, int64Serde } from './number-serdes.js';
import type { Serde } from './serde.js';
import { stringSerde } from './string-serde.js';

/**
 * Factories of the built-in serdes. Each returns a shared, stateless serde (`avro` builds a new one
 * per call: parse the schema once and keep the serde).
 *
 * @example
 * ```ts
 * interface PageView { page: string; durationMs: number }
 * const keys = Serdes.string();
 * const values = Serdes.json<PageView>();
 * const counts = Serdes.int64();
 * const orders = Serdes.avro<Order>(orderSchema, { writerSchema: orderSchemaV1 });
 * ```
 * @throws ConfigError from `avro` for an invalid schema; the serdes throw SerializationError on bad
 * values or bytes.
 */
export const Serdes = Object.freeze({
  /** UTF-8 strings (strict decoding). */
  string: (): Serde<string> => stringSerde,
  /** JSON text in UTF-8, optionally validated. */
  json: <T>(options?: JsonSerdeOptions<T>): Serde<T> => jsonSerde<T>(options),
  /** Raw bytes. */
  bytes: (): Serde<Uint8Array> => bytesSerde,
  /** 32-bit signed integers, big-endian. */
  int32: (): Serde<number> => int32Serde,
  /** 64-bit signed integers as numbers (safe-integer range), big-endian. */
  int64: (): Serde<number> => int64Serde,
  /** 64-bit signed integers as bigints, big-endian. */
  int64BigInt: (): Serde<bigint> => int64BigIntSerde,
  /** IEEE 754 doubles, big-endian. */
  double: (): Serde<number> => doubleSerde,
  /** Avro binary of `schema`'s values (no schema-registry framing); reads through `writerSchema` if given. */
  avro: <T>(schema: AvroSchema, options?: AvroSerdeOptions): Serde<T> => avroSerde<T>(schema, options),
});
