/**
 * Windowed keys of the DSL (Kafka Streams' `Windowed<K>`) and their serdes. The shape is the same
 * as the state stores' Windowed (src/state-stores/windowed.ts), which the DSL may not import; the
 * two are structurally equal, so a value of one is a value of the other.
 *
 * Byte layouts are Kafka's, so windowed output topics read the same in Java: a time-windowed key
 * is the inner key's bytes then the window start (8 bytes, big-endian); the end is not written and
 * is start + window size on reading. A session-windowed key is the inner key's bytes, then the
 * session end, then the session start (8 bytes each), as Kafka's SessionKeySchema writes them.
 */
import { readInt64, writeInt64 } from '../../common/bytes.js';
import { ConfigError, SerializationError } from '../../common/errors.js';
import type { Serde } from '../../serdes/serde.js';

/**
 * A window: `[startMs, endMs)` for time windows; both ends inclusive for sliding windows and
 * sessions (the first and last record of a session).
 *
 * @example
 * ```ts
 * const w: Window = { startMs: 60_000, endMs: 120_000 };
 * ```
 */
export interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * A record key together with the window it was aggregated in: the key of a windowed KTable.
 *
 * @example
 * ```ts
 * counts.toStream().foreach((w: Windowed<string>, n) => console.log(w.key, w.window.startMs, n));
 * ```
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

/**
 * A Windowed key.
 *
 * @example
 * ```ts
 * windowed('alice', 0, 60_000); // { key: 'alice', window: { startMs: 0, endMs: 60000 } }
 * ```
 */
export function windowed<K>(key: K, startMs: number, endMs: number): Windowed<K> {
  return { key, window: { startMs, endMs } };
}

function innerBytes<K>(inner: Serde<K>, topic: string, key: K, name: string): Uint8Array {
  const bytes = inner.serialize(topic, key);
  if (bytes === null) throw new SerializationError(name, topic, 'the inner key serialized to null');
  return bytes;
}

/**
 * Serdes of windowed keys, as Kafka's `WindowedSerdes`.
 *
 * @example
 * ```ts
 * counts.toStream().to('out', { key: WindowedSerdes.timeWindowed(Serdes.string(), 60_000) });
 * sessions.toStream().to('visits', { key: WindowedSerdes.sessionWindowed(Serdes.string()) });
 * ```
 * @throws ConfigError from `timeWindowed` for a window size that is not a positive safe integer;
 * the serdes throw SerializationError on bytes too short to hold the window.
 */
export const WindowedSerdes = Object.freeze({
  /** Keys of time (tumbling, hopping or sliding) windows of `windowSizeMs`: key + 8-byte start. */
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs < 0) {
      throw new ConfigError(
        'WindowedSerdes.timeWindowed windowSizeMs',
        windowSizeMs,
        'a whole number from 0',
      );
    }
    const name = `timeWindowed(${inner.name})`;
    return Object.freeze({
      name,
      serialize(topic: string, w: Windowed<K>): Uint8Array {
        const key = innerBytes(inner, topic, w.key, name);
        const out = new Uint8Array(key.length + 8);
        out.set(key, 0);
        writeInt64(out, key.length, w.window.startMs);
        return out;
      },
      deserialize(topic: string, bytes: Uint8Array): Windowed<K> {
        if (bytes.length < 8)
          throw new SerializationError(name, topic, 'shorter than the 8-byte window start');
        const startMs = readInt64(bytes, bytes.length - 8);
        const key = inner.deserialize(topic, bytes.subarray(0, bytes.length - 8));
        return windowed(key, startMs, startMs + windowSizeMs);
      },
    });
  },
  /** Keys of session windows: key + 8-byte end + 8-byte start. */
  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    const name = `sessionWindowed(${inner.name})`;
    return Object.freeze({
      name,
      serialize(topic: string, w: Windowed<K>): Uint8Array {
        const key = innerBytes(inner, topic, w.key, name);
        const out = new Uint8Array(key.length + 16);
        out.set(key, 0);
        writeInt64(out, key.length, w.window.endMs);
        writeInt64(out, key.length + 8, w.window.startMs);
        return out;
      },
      deserialize(topic: string, bytes: Uint8Array): Windowed<K> {
        if (bytes.length < 16)
          throw new SerializationError(name, topic, 'shorter than the 16-byte session window');
        const n = bytes.length - 16;
        const endMs = readInt64(bytes, n);
        const startMs = readInt64(bytes, n + 8);
        return windowed(inner.deserialize(topic, bytes.subarray(0, n)), startMs, endMs);
      },
    });
  },
});
