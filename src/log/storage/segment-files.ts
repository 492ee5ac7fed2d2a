/**
 * Names of a segment's files. A segment is named by its base offset, zero-padded to 20 digits as
 * Kafka does, so that a directory listing sorts in offset order.
 */

/** The suffixes of a segment's files. */
export const SegmentSuffix = {
  log: '.log',
  offsetIndex: '.index',
  timeIndex: '.timeindex',
  /** A compacted copy being written; removed at open, since the swap never happened. */
  cleaned: '.log.cleaned',
} as const;

/**
 * The file name of a segment file.
 *
 * @example
 * ```ts
 * segmentFileName(42, SegmentSuffix.log); // '00000000000000000042.log'
 * ```
 */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/**
 * The base offset named by a `.log` file name, or undefined for any other file.
 *
 * @example
 * ```ts
 * parseSegmentLogName('00000000000000000042.log'); // 42
 * ```
 */
export function parseSegmentLogName(name: string): number | undefined {
  const m = /^(\d{20})\.log$/.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}
