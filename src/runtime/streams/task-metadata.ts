/**
 * What a task commits beside its input offsets (Kafka Streams' TopicPartitionMetadata, kept in
 * the committed offset's metadata string): its stream time, and the progress of processors whose
 * decisions depend on it (a suppression buffer's observed stream time). A task reopened from that
 * commit — after a restart or a rebalance — starts from them, so it punctuates, closes windows and
 * releases suppressed records exactly as if it had never stopped. Committed atomically with the
 * offsets, so they always describe the state the changelogs hold.
 */

/**
 * A task's committed progress.
 *
 * @example
 * ```ts
 * const m: TaskMetadata = { streamTimeMs: 1_700_000_000_000, processors: new Map([['KTABLE-SUPPRESS-0000000004', 1_699_999_990_000]]) };
 * ```
 */
export interface TaskMetadata {
  /** The largest timestamp the task processed; -1 before any. */
  readonly streamTimeMs: number;
  /** Per processor name, the time it keeps (its observed stream time). */
  readonly processors: ReadonlyMap<string, number>;
}

/** Marks metadata written by millrace (another client's string is not ours to read). */
const PREFIX = 'millrace/1 ';

/**
 * The metadata string of a commit.
 *
 * @example
 * ```ts
 * encodeTaskMetadata({ streamTimeMs: 42, processors: new Map() }); // 'millrace/1 {"t":42,"p":{}}'
 * ```
 * @throws nothing.
 */
export function encodeTaskMetadata(m: TaskMetadata): string {
  return `${PREFIX}${JSON.stringify({ t: m.streamTimeMs, p: Object.fromEntries(m.processors) })}`;
}

/**
 * The task metadata in a committed offset's metadata string; undefined when there is none (no
 * commit yet, a commit by another client, or a string that does not parse — the task then starts
 * with no stream time, as a new one does).
 *
 * @example
 * ```ts
 * decodeTaskMetadata('millrace/1 {"t":42,"p":{}}')?.streamTimeMs; // 42
 * ```
 * @throws nothing.
 */
export function decodeTaskMetadata(metadata: string | undefined): TaskMetadata | undefined {
  if (metadata === undefined || !metadata.startsWith(PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(metadata.slice(PREFIX.length)) as { t?: unknown; p?: unknown };
    if (typeof parsed.t !== 'number' || typeof parsed.p !== 'object' || parsed.p === null) return undefined;
    const processors = new Map<string, number>();
    for (const [name, value] of Object.entries(parsed.p))
      if (typeof value === 'number') processors.set(name, value);
    return { streamTimeMs: parsed.t, processors };
  } catch {
    return undefined;
  }
}

/**
 * The metadata of a task over several partitions: the latest stream time, and per processor the
 * latest time (every partition of a task commits the same metadata; this only matters for commits
 * that predate one of them).
 *
 * @example
 * ```ts
 * const restored = mergeTaskMetadata(partitions.map((tp) => decodeTaskMetadata(committed.get(tpKey(tp))?.metadata)));
 * ```
 * @throws nothing.
 */
export function mergeTaskMetadata(all: readonly (TaskMetadata | undefined)[]): TaskMetadata | undefined {
  let merged: { streamTimeMs: number; processors: Map<string, number> } | undefined;
  for (const m of all) {
    if (m === undefined) continue;
    merged ??= { streamTimeMs: -1, processors: new Map() };
    merged.streamTimeMs = Math.max(merged.streamTimeMs, m.streamTimeMs);
    for (const [name, t] of m.processors)
      merged.processors.set(name, Math.max(t, merged.processors.get(name) ?? t));
  }
  return merged;
}
