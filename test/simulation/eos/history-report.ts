/**
 * What the history checker reports: every anomaly as a sentence with the events, values and
 * offsets involved, complete counts per kind, and figures that say how much the history covered.
 */

/**
 * The anomalies the checker looks for, each a "never" in a correct log.
 *
 * @example
 * ```ts
 * const found = ANOMALY_KINDS.filter((k) => report.counts[k] > 0);
 * ```
 */
export const ANOMALY_KINDS = [
  'inconsistent-offsets',
  'duplicate',
  'lost-write',
  'unseen',
  'aborted-read',
  'precommitted-read',
  'non-monotonic-poll',
  'poll-skip',
  'non-monotonic-send',
  'torn-transaction',
  'unexpected-value',
] as const;

/**
 * One kind of anomaly:
 * - `inconsistent-offsets`: one offset of a partition observed with two values;
 * - `duplicate`: one value at two offsets (idempotent or transactional producer);
 * - `lost-write`: acknowledged (committed) but never read, though a later offset was read at
 *   read_committed or by the drain;
 * - `unseen`: acknowledged (committed) but absent from the partition's drain;
 * - `aborted-read`: a value of an aborted or never-committed transaction, or of a definitely
 *   failed send, seen at read_committed (a failed non-transactional send: seen at all);
 * - `precommitted-read`: a transaction's value seen at read_committed before its commit began;
 * - `non-monotonic-poll`: a consumer read an offset at or below one it read before, without a
 *   seek, assign or rebalance in between;
 * - `poll-skip`: a consumer jumped over offsets the drain shows hold visible records;
 * - `non-monotonic-send`: one producer's acknowledged sends to a partition stored out of order;
 * - `torn-transaction`: a committed transaction only partly in the drain, or partly seen by a
 *   read_committed consumer that read past all of it;
 * - `unexpected-value`: a value read that was never sent to that partition (or not yet).
 *
 * @example
 * ```ts
 * const kind: AnomalyKind = 'lost-write';
 * ```
 */
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/**
 * One anomaly.
 *
 * @example
 * ```ts
 * const a: Anomaly = { kind: 'duplicate', message: "value 'a' of producer p1 at out/0 offsets 3 and 7 …",
 *   partitions: ['out/0'], events: [2, 9], values: ['a'], offsets: [3, 7] };
 * ```
 */
export interface Anomaly {
  kind: AnomalyKind;
  /** One sentence with everything needed to find it in the history. */
  message: string;
  /** The partitions involved, as `topic/partition`. */
  partitions: string[];
  /** Indexes into the history of the events involved. */
  events: number[];
  values: string[];
  offsets: number[];
}

/**
 * How much the history covered, to tell a clean report from an empty test.
 *
 * @example
 * ```ts
 * expect(report.stats.drainedRecords).toBeGreaterThan(0);
 * ```
 */
export interface HistoryStats {
  sends: number;
  /** Sends that must be in the log: acknowledged non-transactional ones and committed transactions'. */
  acknowledged: number;
  committedTxns: number;
  abortedTxns: number;
  /** Transactions whose commit was indeterminate (whatever they resolved to). */
  indeterminateTxns: number;
  polls: number;
  /** Records returned by polls. */
  polledRecords: number;
  drainedRecords: number;
  /** Acknowledged values never read, with no drain or later read to tell that they are lost. */
  unread: number;
}

/**
 * The checker's verdict.
 *
 * @example
 * ```ts
 * const report = checkHistory(history);
 * if (!report.valid) throw new Error(formatReport(report));
 * ```
 */
export interface HistoryReport {
  valid: boolean;
  /** Every anomaly found, per kind (complete even when `anomalies` is capped). */
  counts: Record<AnomalyKind, number>;
  /** The anomalies, at most `maxAnomaliesPerKind` of each kind, in the order found. */
  anomalies: Anomaly[];
  stats: HistoryStats;
}

/**
 * Collects anomalies, counting all and keeping the first few of each kind.
 *
 * @example
 * ```ts
 * const sink = new AnomalySink(20);
 * checkDuplicates(index, sink, new Set());
 * ```
 */
export class AnomalySink {
  readonly counts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  readonly anomalies: Anomaly[] = [];

  constructor(private readonly maxPerKind: number) {}

  add(anomaly: Anomaly): void {
    this.counts[anomaly.kind]++;
    if (this.counts[anomaly.kind] <= this.maxPerKind) this.anomalies.push(anomaly);
  }
}

/**
 * The report as text for a test failure: counts, then one line per anomaly.
 *
 * @example
 * ```ts
 * expect(report.valid, formatReport(report)).toBe(true);
 * ```
 */
export function formatReport(report: HistoryReport, maxLines = 40): string {
  const counts = ANOMALY_KINDS.filter((k) => report.counts[k] > 0).map((k) => `${k}: ${report.counts[k]}`);
  const s = report.stats;
  const lines = [
    report.valid ? 'no anomalies' : `anomalies — ${counts.join(', ')}`,
    `covered: ${s.sends} sends (${s.acknowledged} acknowledged, ${s.unread} never read), ` +
      `${s.committedTxns} committed / ${s.abortedTxns} aborted / ${s.indeterminateTxns} indeterminate ` +
      `transactions, ${s.polls} polls (${s.polledRecords} records), ${s.drainedRecords} drained records`,
    ...report.anomalies.slice(0, maxLines).map((a) => `[${a.kind}] ${a.message}`),
  ];
  if (report.anomalies.length > maxLines) lines.push(`… and ${report.anomalies.length - maxLines} more`);
  return lines.join('\n');
}
