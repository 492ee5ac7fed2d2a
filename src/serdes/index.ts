/**
 * The serdes module: the Serde contract and the built-in serdes, Avro included. The schema registry
 * comes in a later issue.
 */
export { type AvroSchema, type AvroSerdeOptions, avroSerde } from './avro-serde.js';
export { bytesSerde } from './bytes-serde.js';
export { type JsonSerdeOptions, jsonSerde } from './json-serde.js';
export { doubleSerde, int32Serde, int64BigIntSerde, int64Serde } from './number-serdes.js';
export type { Serde } from './serde.js';
export { Serdes } from './serdes.js';
export { stringSerde } from './string-serde.js';
