/**
 * The part of a log client restoration needs: list a partition's offsets and fetch from it at
 * read_committed. `EmbeddedLogClient` fits as it is; the Kafka backend will too.
 */

/**
 * One fetch's answer, as far as restoration reads it.
 *
 * @example
 * ```ts
 * const result: ChangelogFetch = await reader.fetch(topic, 3, 1042, { maxBytes: 1 << 20, isolationLevel: 'read_committed' });
 * ```
 */
export interface ChangelogFetch {
  /** RecordBatch v2 bytes. */
  records: Uint8Array;
  /** The aborted transactions whose batches may be in `records` (read_committed). */
  abortedTransactions?: readonly { producerId: number; firstOffset: number }[];
}

/**
 * Reads a changelog partition.
 *
 * @example
 * ```ts
 * const reader: ChangelogReader = new EmbeddedLogClient(system, { node: 'app-1' });
 * const { offset: lso } = await reader.listOffset('app-counts-changelog', 3, -1, 'read_committed');
 * ```
 */
export interface ChangelogReader {
  /**
   * The earliest (-2) or latest (-1: the high watermark, or the last stable offset at
   * read_committed) offset of a partition.
   */
  listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    isolationLevel?: 'read_committed' | 'read_uncommitted',
  ): Promise<{ offset: number }>;
  /** Fetches from `offset`; throws OffsetOutOfRangeError outside the log. */
  fetch(
    topic: string,
    partition: number,
    offset: number,
    options: { maxBytes?: number; isolationLevel?: 'read_committed' | 'read_uncommitted' },
  ): Promise<ChangelogFetch>;
}
