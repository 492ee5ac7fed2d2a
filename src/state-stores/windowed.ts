/**
 * Windowed keys, as Kafka Streams' Windowed<K>: a record key together with the time window it
 * belongs to.
 */

/**
 * A time window. For window stores `endMs` is exclusive (start + window size, Kafka's TimeWindow);
 * for session stores both ends are inclusive (the first and last record of the session).
 *
 * @example
 * ```ts
 * const w: TimeWindow = { startMs: 60_000, endMs: 120_000 };
 * ```
 */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * A key in a window.
 *
 * @example
 * ```ts
 * const k: Windowed<string> = { key: '/home', window: { startMs: 0, endMs: 60_000 } };
 * ```
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: TimeWindow;
}
