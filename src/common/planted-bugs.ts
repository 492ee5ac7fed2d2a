/**
 * Negative controls for the exactly-once checker (issue #8): switches that plant a known
 * exactly-once bug in the log or the runtime, so a test can show that checkExactlyOnce catches it.
 * A checker that passes a broken system proves nothing; these make "it can fail" a tested fact.
 *
 * Every switch is false in production and only tests turn one on, through `withPlantedBug`, which
 * turns it off again however the test ends. Each use site is one `if` reading a plain boolean
 * property of a constant object (no call, no allocation), marked with a comment naming this module.
 */

/**
 * The planted bugs, all off.
 *
 * - `skipProducerFencing`: the transaction coordinator and the partition leaders accept requests
 *   and batches of a producer whose epoch is older than the current one (a fenced zombie).
 * - `ackBeforeFlush`: the partition leader counts appended but unsynced data in its high watermark
 *   (so acks=all and markers are answered before the data is durable) and syncs lazily.
 * - `applyStoreWritesBeforeCommit`: a task's stores keep the writes of an aborted transaction, as
 *   if they had been applied before the producer's commit.
 *
 * @example
 * ```ts
 * if (plantedBugs.skipProducerFencing) return undefined; // negative-control switch
 * ```
 */
export const plantedBugs = {
  skipProducerFencing: false,
  ackBeforeFlush: false,
  applyStoreWritesBeforeCommit: false,
};

/**
 * The name of one planted bug.
 *
 * @example
 * ```ts
 * const bug: PlantedBug = 'ackBeforeFlush';
 * ```
 */
export type PlantedBug = keyof typeof plantedBugs;

/**
 * Runs `fn` with one planted bug switched on, and switches it off again when `fn` settles.
 * Tests only.
 *
 * @example
 * ```ts
 * await withPlantedBug('skipProducerFencing', () => checkExactlyOnce(options));
 * ```
 * @throws what `fn` throws.
 */
export async function withPlantedBug<T>(bug: PlantedBug, fn: () => Promise<T>): Promise<T> {
  const before = plantedBugs[bug];
  plantedBugs[bug] = true;
  try {
    return await fn();
  } finally {
    plantedBugs[bug] = before;
  }
}
