/**
 * Avro values in Avro's binary encoding, through avsc. Plain Avro binary: no magic byte and no
 * schema id in front (the Confluent wire format), so reader and writer must agree on the schemas
 * out of band. A schema registry, and its framing, come later.
 */
import avro from 'avsc';
import { ConfigError, SerializationError } from '../common/errors.js';
import type { Serde } from './serde.js';

/**
 * An Avro schema: its JSON object (or array, for a union), JSON text of one, or the bare name of a
 * primitive type such as `long`.
 *
 * @example
 * ```ts
 * const schema: AvroSchema = { type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }] };
 * ```
 */
export type AvroSchema = string | object;

/**
 * Options of an Avro serde.
 *
 * @example
 * ```ts
 * const options: AvroSerdeOptions = { writerSchema: pointV1 };
 * ```
 */
export interface AvroSerdeOptions {
  /**
   * The schema the stored bytes were written with, when it differs from the serde's own (an older
   * or newer version of it). Bytes are then decoded by Avro schema resolution: fields the writer
   * lacks take the reader's defaults, fields the reader lacks are skipped. `serialize` always writes
   * with the serde's own schema.
   */
  writerSchema?: AvroSchema;
}

const TWO_32 = 4294967296;

// Written into by `exactLong.toBuffer` and read back at once by avsc (which packs it into the
// varint before anything else runs), so one buffer serves every write.
const longScratch = Buffer.alloc(8);

// avsc 5.7.9's built-in long silently corrupts values beyond ±2^52: its float zig-zag arithmetic
// rounds, writing -(2^52 + 1) as +2^52 and reading other writers' such values wrong. This long
// goes through avsc's exact 8-byte two's-complement path instead, and is exact for every safe
// integer (at the cost of an 8-byte Buffer per long read, allocated by avsc).
const exactLong = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): number {
    const value = buf.readInt32LE(4) * TWO_32 + buf.readUInt32LE(0);
    if (!Number.isSafeInteger(value)) {
      // Beyond 2^53 - 1 the sum above may round, but never back into the safe range.
      throw new Error(`the long ${buf.readBigInt64LE(0)} is outside the safe integer range`);
    }
    return value;
  },
  toBuffer(value: number): Buffer {
    const hi = Math.floor(value / TWO_32);
    longScratch.writeInt32LE(hi, 4);
    longScratch.writeUInt32LE(value - hi * TWO_32, 0);
    return longScratch;
  },
  fromJSON: (value: number): number => value,
  toJSON: (value: number): number => value,
  isValid: (value: unknown): boolean => Number.isSafeInteger(value),
  compare: (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0),
});

/** How many offending fields a SerializationError lists before it says "and N more". */
const MAX_LISTED_PATHS = 5;

/**
 * A serde for values of an Avro schema, in Avro's binary encoding (no schema-registry framing).
 * The schema is parsed once; with `writerSchema`, the resolver from it to the serde's schema is
 * built once too. `T` is not checked against the schema by the compiler: the schema decides.
 *
 * Values follow avsc's mapping, except that `long` is exact: a JS number, any safe integer.
 * `bytes` and `fixed` are Buffers (a plain Uint8Array is refused), `enum` is its symbol's string,
 * `map` is a plain object (a `__proto__` key does not survive decoding: avsc assigns keys to a
 * plain object), a union with null is the value or null. Decoded `bytes` are copies, never views
 * of the input. Byte order of the encoding is not the order of the values (varints, zig-zag), so
 * range scans over Avro keys do not run in value order.
 *
 * Cost: `serialize` allocates only the Buffer it returns (avsc's `toBuffer`); the offending
 * fields are looked for only after encoding failed. `deserialize` wraps a non-Buffer Uint8Array in
 * a Buffer view of the same memory, without copying. The exact `long` costs avsc an 8-byte Buffer
 * per long read.
 *
 * @example
 * ```ts
 * interface Point { x: number; y: number }
 * const serde = avroSerde<Point>({
 *   type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }, { name: 'y', type: 'int' }],
 * });
 * serde.deserialize('points', serde.serialize('points', { x: 1, y: 2 })); // { x: 1, y: 2 }
 * ```
 * @throws ConfigError when `schema` or `writerSchema` is not a valid Avro schema, or when data
 * written with `writerSchema` cannot be read with `schema`. The serde's methods throw
 * SerializationError for a value that does not match the schema (naming the offending fields) and
 * for bytes that are truncated, have trailing bytes or do not decode.
 */
export function avroSerde<T>(schema: AvroSchema, options: AvroSerdeOptions = {}): Serde<T> {
  const type = parseSchema('schema', schema);
  const name = `avro(${typeLabel(type)})`;
  const resolver = options.writerSchema === undefined ? undefined : resolverFrom(type, options.writerSchema);
  return Object.freeze({
    name,
    serialize(topic: string, value: T): Uint8Array {
      try {
        return type.toBuffer(value);
      } catch (cause) {
        throw new SerializationError(name, topic, describeInvalid(type, value, cause), { cause });
      }
    },
    deserialize(topic: string, bytes: Uint8Array): T {
      const buffer = Buffer.isBuffer(bytes)
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      try {
        return type.fromBuffer(buffer, resolver) as T;
      } catch (cause) {
        throw new SerializationError(name, topic, describeUndecodable(bytes.length, cause), { cause });
      }
    },
  });
}

/**
 * The avsc type of a schema, or a ConfigError under `key` with avsc's reason.
 */
function parseSchema(key: string, schema: AvroSchema): avro.Type {
  let parsed: unknown = schema;
  if (typeof schema === 'string') {
    try {
      parsed = JSON.parse(schema);
    } catch (cause) {
      // Not JSON: a bare type name such as `long` (which avsc takes as is), or broken JSON text.
      if (!/^[A-Za-z_][\w.]*$/.test(schema)) {
        throw new ConfigError(key, schema, `an Avro schema, but the text is not JSON (${String(cause)})`);
      }
    }
  }
  try {
    // Fresh options each time: avsc adds the schema's named types to the registry (and keeps the
    // current namespace in the options), so a shared one would leak names into the next schema.
    // Without record methods (toBuffer, clone, …) decoded records are the plain data they were.
    return avro.Type.forSchema(parsed as avro.Type, {
      omitRecordMethods: true,
      registry: { long: exactLong },
    });
  } catch (cause) {
    throw new ConfigError(key, schema, `a valid Avro schema (${errorMessage(cause)})`);
  }
}

/**
 * The resolver that reads data written with `writerSchema` as `reader`, or a ConfigError.
 */
function resolverFrom(reader: avro.Type, writerSchema: AvroSchema): ReturnType<avro.Type['createResolver']> {
  const writer = parseSchema('writerSchema', writerSchema);
  try {
    return reader.createResolver(writer);
  } catch (cause) {
    throw new ConfigError(
      'writerSchema',
      writerSchema,
      `a schema whose data the serde's schema can read (${errorMessage(cause)}); give new fields ` +
        'defaults and keep field types promotable',
    );
  }
}

/**
 * Why `value` cannot be encoded: the offending field paths from avsc's validator, or avsc's own
 * error when the validator finds nothing.
 */
function describeInvalid(type: avro.Type, value: unknown, cause: unknown): string {
  const problems: string[] = [];
  let count = 0;
  type.isValid(value, {
    errorHook(path, offending, fieldType) {
      count++;
      if (problems.length < MAX_LISTED_PATHS) {
        const where = path.length === 0 ? 'the value itself' : path.join('.');
        problems.push(`${where} (${describeValue(offending)} is not a ${fieldType.toString()})`);
      }
    },
  });
  if (count === 0) return `the value cannot be encoded: ${errorMessage(cause)}`;
  const more = count > problems.length ? ` and ${count - problems.length} more` : '';
  return (
    `the value does not match the schema at ${problems.join(', ')}${more}; ` +
    'fix these fields of the value, or use a schema that allows them'
  );
}

/**
 * Why `length` bytes did not decode, in words, from avsc's error.
 */
function describeUndecodable(length: number, cause: unknown): string {
  const reason = errorMessage(cause);
  // avsc 5.7's fromBuffer throws exactly these two messages for the two framing failures.
  if (reason === 'truncated buffer') {
    return `${length} bytes end before the value does (truncated); the record was cut short or is not Avro`;
  }
  if (reason === 'trailing data') {
    return (
      `${length} bytes hold a value followed by trailing bytes; they were written with another ` +
      'schema (set writerSchema to it) or carry framing such as a schema-registry header'
    );
  }
  return (
    `${length} bytes do not decode (${reason}); they are corrupt, or were written with another ` +
    'schema (set writerSchema to it)'
  );
}

/** The record, enum or fixed name of a type, else its kind: `long`, `array`, `union`. */
function typeLabel(type: avro.Type): string {
  if (type.name !== undefined) return type.name;
  const kind = type.typeName.split(':')[0]!; // `union:unwrapped`, `logical:date`, `abstract:long`
  return kind === 'abstract' ? 'long' : kind;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A short description of an offending value, for error messages. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length}` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`;
  return `a ${typeof value}`;
}
