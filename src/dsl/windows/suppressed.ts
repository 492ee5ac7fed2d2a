/**
 * Suppression of intermediate results (Kafka Streams 4.x `Suppressed` and `BufferConfig`, KIP-328):
 * hold a KTable's updates back until its window closes, or until a key has been quiet for a while,
 * in a buffer with a size limit and a rule for when it is full. Pure data: the runtime buffers.
 */
import { ConfigError, TopologyError } from '../../common/errors.js';
import { type Duration, durationMs } from './duration.js';

/**
 * What a full suppression buffer does: `emit-early` emits its oldest records before their time
 * (results may no longer be final); `shut-down` stops the application with an error.
 *
 * @example
 * ```ts
 * const strategy: BufferFullStrategy = 'shut-down';
 * ```
 */
export type BufferFullStrategy = 'emit-early' | 'shut-down';

/**
 * A buffer that emits early when full; not allowed with `untilWindowCloses`.
 *
 * @example
 * ```ts
 * const eager: EagerBufferConfig = BufferConfig.maxRecords(1000);
 * ```
 */
export type EagerBufferConfig = BufferConfig<'emit-early'>;

/**
 * A buffer that never emits early: unbounded, or bounded and shutting down when full.
 *
 * @example
 * ```ts
 * const strict: StrictBufferConfig = BufferConfig.maxBytes(1 << 20).shutDownWhenFull();
 * ```
 */
export type StrictBufferConfig = BufferConfig<'shut-down'>;

const NO_BOUND_HINT = 'for no limit use BufferConfig.unbounded()';

/**
 * The size limits of a suppression buffer and what happens when it is full. As in Kafka, a bounded
 * buffer emits early by default; `unbounded()` never is full, so it only has shut-down semantics.
 *
 * @example
 * ```ts
 * BufferConfig.maxRecords(10_000).withMaxBytes(8 << 20).shutDownWhenFull();
 * BufferConfig.unbounded();
 * ```
 * @throws ConfigError when a limit is not a whole number from 1; TopologyError from
 * `emitEarlyWhenFull()` on an unbounded buffer.
 */
export class BufferConfig<S extends BufferFullStrategy = BufferFullStrategy> {
  /** Tells the suppression data apart. */
  readonly kind = 'buffer' as const;
  /** The most records the buffer holds, or null for no record limit. */
  readonly maxRecords: number | null;
  /** The most bytes (keys, values and overhead) the buffer holds, or null for no byte limit. */
  readonly maxBytes: number | null;
  /** What the buffer does when a limit is reached. */
  readonly bufferFullStrategy: S;

  private constructor(maxRecords: number | null, maxBytes: number | null, bufferFullStrategy: S) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.bufferFullStrategy = bufferFullStrategy;
    Object.freeze(this);
  }

  /**
   * A buffer of at most `recordLimit` records that emits early when full.
   *
   * @example
   * ```ts
   * BufferConfig.maxRecords(1000);
   * ```
   * @throws ConfigError when `recordLimit` is not a whole number from 1.
   */
  static maxRecords(recordLimit: number): EagerBufferConfig {
    return new BufferConfig(limit('BufferConfig maxRecords', recordLimit), null, 'emit-early');
  }

  /**
   * A buffer of at most `byteLimit` bytes that emits early when full.
   *
   * @example
   * ```ts
   * BufferConfig.maxBytes(16 << 20);
   * ```
   * @throws ConfigError when `byteLimit` is not a whole number from 1.
   */
  static maxBytes(byteLimit: number): EagerBufferConfig {
    return new BufferConfig(null, limit('BufferConfig maxBytes', byteLimit), 'emit-early');
  }

  /**
   * A buffer without limits: it is never full, and grows until memory runs out.
   *
   * @example
   * ```ts
   * BufferConfig.unbounded();
   * ```
   */
  static unbounded(): StrictBufferConfig {
    return new BufferConfig(null, null, 'shut-down');
  }

  /**
   * The same buffer with a record limit.
   *
   * @example
   * ```ts
   * BufferConfig.maxBytes(1 << 20).withMaxRecords(500);
   * ```
   * @throws ConfigError when `recordLimit` is not a whole number from 1.
   */
  withMaxRecords(recordLimit: number): BufferConfig<S> {
    const maxRecords = limit('BufferConfig maxRecords', recordLimit);
    return new BufferConfig(maxRecords, this.maxBytes, this.bufferFullStrategy);
  }

  /**
   * The same buffer with a byte limit.
   *
   * @example
   * ```ts
   * BufferConfig.maxRecords(500).withMaxBytes(1 << 20);
   * ```
   * @throws ConfigError when `byteLimit` is not a whole number from 1.
   */
  withMaxBytes(byteLimit: number): BufferConfig<S> {
    const maxBytes = limit('BufferConfig maxBytes', byteLimit);
    return new BufferConfig(this.maxRecords, maxBytes, this.bufferFullStrategy);
  }

  /**
   * The same buffer without limits (and so with shut-down semantics).
   *
   * @example
   * ```ts
   * BufferConfig.maxRecords(500).withNoBound(); // the same as BufferConfig.unbounded()
   * ```
   */
  withNoBound(): StrictBufferConfig {
    return BufferConfig.unbounded();
  }

  /**
   * The same limits; when full, the buffer emits its oldest records early.
   *
   * @example
   * ```ts
   * BufferConfig.maxRecords(500).shutDownWhenFull().emitEarlyWhenFull();
   * ```
   * @throws TopologyError on an unbounded buffer, which is never full.
   */
  emitEarlyWhenFull(): EagerBufferConfig {
    if (this.maxRecords === null && this.maxBytes === null) {
      throw new TopologyError(
        'An unbounded suppression buffer is never full, so emitEarlyWhenFull() cannot apply to it. Set a ' +
          'limit first, such as BufferConfig.maxRecords(1000) or .withMaxBytes(n), or keep it unbounded.',
      );
    }
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  /**
   * The same limits; when full, the application stops with an error rather than emit a result early.
   *
   * @example
   * ```ts
   * BufferConfig.maxRecords(500).shutDownWhenFull();
   * ```
   */
  shutDownWhenFull(): StrictBufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }
}

/**
 * How a KTable's updates are held back: until the window closes (final results only) or until a
 * key has had no update for a time limit (rate limiting).
 *
 * @example
 * ```ts
 * const finals = Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final-counts');
 * const quiet = Suppressed.untilTimeLimit('30s', BufferConfig.maxRecords(1000));
 * ```
 * @throws TopologyError from `untilWindowCloses` with a buffer that emits early, and from
 * `withName` with an empty name.
 */
export class Suppressed {
  /** `until-window-closes`: emit final window results; `until-time-limit`: emit after quiet time. */
  readonly kind: 'until-window-closes' | 'until-time-limit';
  /** For `until-time-limit`, how long a key waits for more updates; null for `until-window-closes`. */
  readonly timeToWaitForMoreEventsMs: number | null;
  /** The buffer that holds the records meanwhile. */
  readonly bufferConfig: BufferConfig;
  /** The suppress processor's name, or null for a generated one. */
  readonly name: string | null;

  private constructor(
    kind: Suppressed['kind'],
    timeToWaitForMoreEventsMs: number | null,
    bufferConfig: BufferConfig,
    name: string | null,
  ) {
    this.kind = kind;
    this.timeToWaitForMoreEventsMs = timeToWaitForMoreEventsMs;
    this.bufferConfig = bufferConfig;
    this.name = name;
    Object.freeze(this);
  }

  /**
   * Emits only each window's final result, once stream time passes its end plus grace. The buffer
   * must never emit early (that would emit a result that is not final): unbounded, or bounded with
   * `shutDownWhenFull()`.
   *
   * @example
   * ```ts
   * Suppressed.untilWindowCloses(BufferConfig.maxRecords(10_000).shutDownWhenFull());
   * ```
   * @throws TopologyError when `bufferConfig` emits early when full.
   */
  static untilWindowCloses(bufferConfig: StrictBufferConfig): Suppressed {
    // The type already demands a strict buffer; this catches casts and plain JavaScript callers.
    if (!(bufferConfig instanceof BufferConfig) || bufferConfig.bufferFullStrategy !== 'shut-down') {
      throw new TopologyError(
        'Suppressed.untilWindowCloses needs a buffer that never emits early, or its results would not be ' +
          'final. Use BufferConfig.unbounded(), or a bounded buffer with .shutDownWhenFull(), such as ' +
          'BufferConfig.maxRecords(1000).shutDownWhenFull().',
      );
    }
    return new Suppressed('until-window-closes', null, bufferConfig, null);
  }

  /**
   * Emits a key's latest update once it has had no newer update for `timeToWaitForMoreEvents` of
   * stream time, or earlier if an eager buffer fills up.
   *
   * @example
   * ```ts
   * Suppressed.untilTimeLimit('1m', BufferConfig.maxBytes(1 << 20));
   * ```
   * @throws ConfigError when `timeToWaitForMoreEvents` is negative or malformed; TopologyError when
   * `bufferConfig` is not a BufferConfig.
   */
  static untilTimeLimit(timeToWaitForMoreEvents: Duration, bufferConfig: BufferConfig): Suppressed {
    const waitMs = durationMs(timeToWaitForMoreEvents, 'Suppressed timeToWaitForMoreEvents');
    if (!(bufferConfig instanceof BufferConfig)) {
      throw new TopologyError(
        'Suppressed.untilTimeLimit needs a BufferConfig, such as BufferConfig.maxRecords(1000) or ' +
          'BufferConfig.unbounded().',
      );
    }
    return new Suppressed('until-time-limit', waitMs, bufferConfig, null);
  }

  /**
   * The same suppression with a name for its processor.
   *
   * @example
   * ```ts
   * untilWindowCloses().withName('final-counts');
   * ```
   * @throws TopologyError when `name` is empty.
   */
  withName(name: string): Suppressed {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TopologyError('A name given to Suppressed.withName must be a non-empty string.');
    }
    return new Suppressed(this.kind, this.timeToWaitForMoreEventsMs, this.bufferConfig, name);
  }
}

/**
 * `Suppressed.untilWindowCloses` with an unbounded buffer unless given one, so that
 * `suppress(untilWindowCloses())` reads as a sentence.
 *
 * @example
 * ```ts
 * table.suppress(untilWindowCloses());
 * ```
 * @throws TopologyError when `buffer` emits early when full.
 */
export function untilWindowCloses(buffer: StrictBufferConfig = BufferConfig.unbounded()): Suppressed {
  return Suppressed.untilWindowCloses(buffer);
}

/**
 * `Suppressed.untilTimeLimit` with an unbounded buffer unless given one.
 *
 * @example
 * ```ts
 * table.suppress(untilTimeLimit('30s', BufferConfig.maxRecords(1000)));
 * ```
 * @throws ConfigError when `timeToWaitForMoreEvents` is negative or malformed.
 */
export function untilTimeLimit(
  timeToWaitForMoreEvents: Duration,
  buffer: BufferConfig = BufferConfig.unbounded(),
): Suppressed {
  return Suppressed.untilTimeLimit(timeToWaitForMoreEvents, buffer);
}

/** A buffer limit: a whole number from 1. */
function limit(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(
      what,
      value,
      `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}; ${NO_BOUND_HINT}`,
    );
  }
  return value;
}
