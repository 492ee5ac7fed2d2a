/**
 * The MillraceError hierarchy. Every error millrace throws on purpose is a MillraceError with a
 * stable `code` (safe to switch on, never reworded), a `retriable` flag (whether the same call may
 * succeed later without the caller changing anything) and an optional `cause`. Subclasses are named
 * for the recovery they call for, not for where they were thrown.
 */

/** Options every MillraceError accepts. */
export interface MillraceErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
}

/**
 * Base class of every error millrace throws on purpose.
 *
 * @example
 * ```ts
 * try { log.read(offset, 1 << 20); }
 * catch (e) { if (e instanceof MillraceError && e.retriable) retryLater(); else throw e; }
 * ```
 */
export class MillraceError extends Error {
  /** A stable, machine-readable code such as `OFFSET_OUT_OF_RANGE`. */
  readonly code: string;
  /** True when the same operation may succeed if simply tried again later. */
  readonly retriable: boolean;

  constructor(code: string, message: string, retriable: boolean, options: MillraceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = retriable;
    this.name = new.target.name;
  }
}

/**
 * Bytes that do not form a valid record batch: a bad CRC, length, magic or record count. Nothing
 * was written; the sender must not retry the same bytes.
 *
 * @example
 * ```ts
 * throw new CorruptRecordError('batch at byte 0: CRC mismatch (stored 0x1, computed 0x2)');
 * ```
 */
export class CorruptRecordError extends MillraceError {
  constructor(message: string, options?: MillraceErrorOptions) {
    super('CORRUPT_RECORD', message, false, options);
  }
}

/**
 * A fetch asked for an offset below the log start or above the log end. Reset the position
 * (earliest or latest) and fetch again.
 *
 * @example
 * ```ts
 * throw new OffsetOutOfRangeError(42, 100, 200);
 * ```
 */
export class OffsetOutOfRangeError extends MillraceError {
  readonly offset: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;

  constructor(offset: number, logStartOffset: number, logEndOffset: number) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `offset ${offset} is outside the log [${logStartOffset}, ${logEndOffset}]; ` +
        'seek to the earliest or latest offset and fetch again',
      false,
    );
    this.offset = offset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }
}

/**
 * A configuration value is missing, of the wrong type or out of range. The message names the key,
 * the value given and what is accepted.
 *
 * @example
 * ```ts
 * throw new ConfigError('segmentBytes', 12, 'an integer from 1024 to 2147483647');
 * ```
 */
export class ConfigError extends MillraceError {
  readonly key: string;

  constructor(key: string, value: unknown, expected: string) {
    super('INVALID_CONFIG', `invalid config ${key} = ${describeValue(value)}: expected ${expected}`, false);
    this.key = key;
  }
}

/**
 * A well-formed record that the target refuses, such as a record without a key sent to a
 * compacted topic. Fix the record; retrying it unchanged fails again.
 *
 * @example
 * ```ts
 * throw new InvalidRecordError('compacted topic orders-0 needs a key on every record (record 3 has none)');
 * ```
 */
export class InvalidRecordError extends MillraceError {
  constructor(message: string) {
    super('INVALID_RECORD', message, false);
  }
}

/**
 * A batch or record larger than the configured limit. Split it, or raise the limit.
 *
 * @example
 * ```ts
 * throw new RecordTooLargeError('batch of 2000000 bytes exceeds maxBatchBytes 1048576');
 * ```
 */
export class RecordTooLargeError extends MillraceError {
  constructor(message: string) {
    super('RECORD_TOO_LARGE', message, false);
  }
}

/**
 * A compression codec that millrace recognises but does not support yet. Produce with `none` or
 * `gzip` instead.
 *
 * @example
 * ```ts
 * throw new UnsupportedCompressionError('zstd');
 * ```
 */
export class UnsupportedCompressionError extends MillraceError {
  readonly codec: string;

  constructor(codec: string) {
    super(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `compression codec ${codec} is not supported yet; produce with compression 'none' or 'gzip'`,
      false,
    );
    this.codec = codec;
  }
}

/**
 * Data that was durable on disk no longer verifies (a CRC mismatch or a misplaced batch inside
 * flushed data). The partition refuses to serve it; re-fetch the range from another replica, or
 * reopen with corruption repair turned on to truncate at the damage.
 *
 * @example
 * ```ts
 * throw new LogCorruptedError('/data/t-0', 'segment 0: CRC mismatch at byte 4096', 812);
 * ```
 */
export class LogCorruptedError extends MillraceError {
  readonly dir: string;
  /** The first offset that can no longer be trusted. */
  readonly firstBadOffset: number;

  constructor(dir: string, detail: string, firstBadOffset: number, options?: MillraceErrorOptions) {
    super(
      'LOG_CORRUPTED',
      `partition log ${dir} is corrupted in flushed data: ${detail}. Nothing was truncated; ` +
        're-fetch from a replica, or reopen with repairCorruption: true to truncate at offset ' +
        `${firstBadOffset}`,
      false,
      options,
    );
    this.dir = dir;
    this.firstBadOffset = firstBadOffset;
  }
}

/**
 * A disk operation failed (EIO, ENOSPC, …). The log stops (fail-stop): nothing more is
 * acknowledged and every later call fails, because after a failed fsync the page cache may already
 * be marked clean and a retry could acknowledge lost data. Restart the replica to recover.
 *
 * @example
 * ```ts
 * throw new StorageError('fdatasync of 00000000000000000000.log failed', { cause: err });
 * ```
 */
export class StorageError extends MillraceError {
  constructor(message: string, options?: MillraceErrorOptions) {
    super('KAFKA_STORAGE_ERROR', `${message}; the log has stopped and must be reopened`, false, options);
  }
}

/**
 * An operation on something in the wrong state, such as a closed log. A programming error in the
 * caller, not a transient condition.
 *
 * @example
 * ```ts
 * throw new IllegalStateError('partition log is closed');
 * ```
 */
export class IllegalStateError extends MillraceError {
  constructor(message: string) {
    super('ILLEGAL_STATE', message, false);
  }
}

/**
 * An invariant of millrace itself failed: a bug, never bad input. Thrown by `assert`.
 *
 * @example
 * ```ts
 * throw new AssertionFailedError('high watermark went backwards');
 * ```
 */
export class AssertionFailedError extends MillraceError {
  constructor(message: string) {
    super('ASSERTION_FAILED', `invariant violated: ${message}`, false);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * Bytes that a serde cannot turn into a value (too short, not UTF-8, not JSON, out of range), or
 * a value it cannot turn into bytes. The data was written with another serde than the one
 * configured, or the value is of the wrong type: configure the serde that matches the data. Nothing
 * was written or skipped; retrying the same bytes fails again.
 *
 * @example
 * ```ts
 * throw new SerializationError('int32', 'orders', 'expected 4 bytes, got 3');
 * ```
 */
export class SerializationError extends MillraceError {
  /** The name of the serde that failed, such as `int32` or `json`. */
  readonly serde: string;
  /** The topic (or store) whose data it was handling. */
  readonly topic: string;

  constructor(serde: string, topic: string, detail: string, options?: MillraceErrorOptions) {
    super(
      'SERIALIZATION_ERROR',
      `${serde} serde failed on data of ${JSON.stringify(topic)}: ${detail}. Check that the serde ` +
        'configured for it matches the data (a store or topic written with another serde needs that serde)',
      false,
      options,
    );
    this.serde = serde;
    this.topic = topic;
  }
}

/**
 * A state store, or an iterator over one, was used after it was closed (or after its engine was
 * closed or crashed). Get the store again from the task that owns it now; after a rebalance it may
 * live in another thread or process.
 *
 * @example
 * ```ts
 * throw new StoreClosedError('counts');
 * ```
 */
export class StoreClosedError extends MillraceError {
  /** The name of the closed store. */
  readonly store: string;

  constructor(store: string) {
    super(
      'STORE_CLOSED',
      `state store ${JSON.stringify(store)} is closed; get the store again from the task that owns it now ` +
        '(after a rebalance it may have moved), or reopen it',
      false,
    );
    this.store = store;
  }
}

/**
 * A state store's engine failed: an I/O error, corruption, or its directory locked by another open
 * store. The store is unusable; close the task and reopen its stores (which replays the changelog
 * past the offset the store reports), or free the directory.
 *
 * @example
 * ```ts
 * throw new StateStoreFailedError('counts', 'RocksDB open of /data/counts failed: lock held', { cause: err });
 * ```
 */
export class StateStoreFailedError extends MillraceError {
  /** The name of the failed store. */
  readonly store: string;

  constructor(store: string, detail: string, options?: MillraceErrorOptions) {
    super(
      'STATE_STORE_FAILED',
      `state store ${JSON.stringify(store)} failed: ${detail}; close the task and reopen the store`,
      false,
      options,
    );
    this.store = store;
  }
}

/**
 * A changelog record that restoration cannot apply to its store: a record without a key, or a value
 * the store's serde refuses. Nothing after it was applied; the store keeps the state of the records
 * before it. Find out what wrote the record (another application with the same id, a tool producing
 * to the changelog, a serde change), then delete the store's directory and its changelog topic to
 * start over, or fix the serde configuration to match the data.
 *
 * @example
 * ```ts
 * throw new ChangelogCorruptError('counts', 'app-counts-changelog', 3, 1042, 'the record has no key');
 * ```
 */
export class ChangelogCorruptError extends MillraceError {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;

  constructor(
    store: string,
    topic: string,
    partition: number,
    offset: number,
    detail: string,
    options?: MillraceErrorOptions,
  ) {
    super(
      'CHANGELOG_CORRUPT',
      `restoring state store ${JSON.stringify(store)} from changelog ${topic}-${partition} failed at offset ` +
        `${offset}: ${detail}. Only millrace may write to a changelog topic: find what wrote this record; ` +
        'if the store serde changed, configure the one the data was written with; to start over, delete ' +
        'the changelog topic and the state directory',
      false,
      options,
    );
    this.store = store;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }
}

/**
 * A state directory that belongs to another application id. Two applications must never share
 * state: give this application its own state directory, or, if the directory really is this
 * application's (the application id was renamed), delete it so it is rebuilt from the changelogs.
 *
 * @example
 * ```ts
 * throw new StateDirectoryOwnedError('/data/state', 'orders-app', 'billing-app');
 * ```
 */
export class StateDirectoryOwnedError extends MillraceError {
  readonly dir: string;
  readonly owner: string;
  readonly applicationId: string;

  constructor(dir: string, owner: string, applicationId: string) {
    super(
      'STATE_DIRECTORY_OWNED',
      `state directory ${dir} belongs to application ${JSON.stringify(owner)}, not ` +
        `${JSON.stringify(applicationId)}; give each application its own state directory, or delete the ` +
        'directory if it is this application under an old id (its stores are rebuilt from their changelogs)',
      false,
    );
    this.dir = dir;
    this.owner = owner;
    this.applicationId = applicationId;
  }
}

/**
 * A topology that cannot be built or run as written: a name used twice, a sink without a serde, a
 * time-based RxJS operator in `pipe(...)`, an input topic no source reads. Fix the topology; the
 * same build will fail again.
 *
 * @example
 * ```ts
 * throw new TopologyError("The name 'clean' is used by two nodes; names must be unique.");
 * ```
 */
export class TopologyError extends MillraceError {
  constructor(message: string, options?: MillraceErrorOptions) {
    super('TOPOLOGY', message, false, options);
  }
}
