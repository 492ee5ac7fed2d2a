/**
 * Sticky balancing, the step the streams assignor uses at both levels: tasks over clients
 * (weighted by thread count) and a client's tasks over its threads (weight one each).
 *
 * 1. Items keep the bin they were in (sticky), when that bin still exists.
 * 2. Each other item goes, in item order, to the cheapest bin (lowest `cost`, e.g. the client with
 *    the least lag) among those it would not push more than `balanceFactor` above the least
 *    loaded bin; ties to the less loaded bin, then to the bin first in order.
 * 3. While the most loaded bin that holds items is more than `balanceFactor` above the least
 *    loaded bin, one item moves from the first to the second: one it was not sticky to if it
 *    has one, then the cheapest for the receiving bin, then the first in order.
 *
 * Load is (baseLoad + items) / capacity. Each move in step 3 lowers Σ load² · capacity (the
 * loads differ by more than one), so the loop ends; items that were already balanced never move,
 * which makes a second run on the first run's output a no-op.
 */

/**
 * A bin: a client (capacity = its threads) or a thread (capacity 1).
 *
 * @example
 * ```ts
 * const bin: BalanceBin = { id: 'process-1', capacity: 2, baseLoad: 0 };
 * ```
 */
export interface BalanceBin {
  readonly id: string;
  readonly capacity: number;
  /** Load already there that this run does not move (a thread's stateful tasks when placing stateless ones). */
  readonly baseLoad: number;
}

/**
 * The input of `stickyBalance`.
 *
 * @example
 * ```ts
 * const input: StickyBalanceInput = { items: ['0_0', '0_1'], bins, stickyBin: (t) => previous.get(t),
 *   cost: () => 0, balanceFactor: 1 };
 * ```
 */
export interface StickyBalanceInput {
  /** Items in the order to place them. */
  readonly items: readonly string[];
  /** Bins in tie-break order; capacities at least 1. */
  readonly bins: readonly BalanceBin[];
  /** The bin the item was in before, if any. */
  stickyBin(item: string): string | undefined;
  /** How much the bin would rather not take the item (lower is better). */
  cost(item: string, bin: string): number;
  /** At least 1. */
  readonly balanceFactor: number;
}

/**
 * Places items into bins, sticky and balanced (see the file comment).
 *
 * @example
 * ```ts
 * stickyBalance({ items: ['a', 'b', 'c'], bins: [{ id: 'x', capacity: 1, baseLoad: 0 },
 *   { id: 'y', capacity: 2, baseLoad: 0 }], stickyBin: () => undefined, cost: () => 0, balanceFactor: 1 });
 * // Map { 'x' => ['a'], 'y' => ['b', 'c'] } or similar: loads 1 and 1
 * ```
 */
export function stickyBalance(input: StickyBalanceInput): Map<string, string[]> {
  const { bins, balanceFactor } = input;
  const held = new Map<string, string[]>(bins.map((b) => [b.id, []]));
  const order = new Map(input.items.map((item, i) => [item, i]));
  const load = (b: BalanceBin, extra = 0) => b.baseLoad + held.get(b.id)!.length + extra;
  // a/b versus c/d without floating point: loads are small integers over small capacities.
  const cmp = (an: number, ac: number, bn: number, bc: number) => an * bc - bn * ac;
  const least = () => bins.reduce((m, b) => (cmp(load(b), b.capacity, load(m), m.capacity) < 0 ? b : m));
  const sticky = new Map<string, string>();
  const loose: string[] = [];
  for (const item of input.items) {
    const bin = input.stickyBin(item);
    if (bin !== undefined && held.has(bin)) {
      held.get(bin)!.push(item);
      sticky.set(item, bin);
    } else loose.push(item);
  }
  for (const item of loose) {
    const min = least();
    let best: BalanceBin | undefined;
    let bestCost = 0;
    for (const b of bins) {
      // (load+1)/cap − minLoad ≤ balanceFactor, cross-multiplied.
      const over = cmp(load(b, 1), b.capacity, load(min), min.capacity);
      if (over > balanceFactor * b.capacity * min.capacity) continue;
      const c = input.cost(item, b.id);
      if (
        best === undefined ||
        c < bestCost ||
        (c === bestCost && cmp(load(b, 1), b.capacity, load(best, 1), best.capacity) < 0)
      ) {
        best = b;
        bestCost = c;
      }
    }
    held.get((best ?? min).id)!.push(item);
  }
  for (;;) {
    const min = least();
    let max: BalanceBin | undefined;
    for (const b of bins) {
      if (held.get(b.id)!.length === 0) continue;
      if (max === undefined || cmp(load(b), b.capacity, load(max), max.capacity) >= 0) max = b;
    }
    if (max === undefined) break;
    if (cmp(load(max), max.capacity, load(min), min.capacity) <= balanceFactor * max.capacity * min.capacity)
      break;
    const from = held.get(max.id)!;
    const rank = (item: string) => [
      sticky.get(item) === max.id ? 1 : 0,
      input.cost(item, min.id),
      order.get(item)!,
    ];
    let pick = from[0]!;
    for (const item of from) {
      const [a0, a1, a2] = rank(item);
      const [b0, b1, b2] = rank(pick);
      if (a0! < b0! || (a0 === b0 && (a1! < b1! || (a1 === b1 && a2! < b2!)))) pick = item;
    }
    from.splice(from.indexOf(pick), 1);
    held.get(min.id)!.push(pick);
  }
  for (const list of held.values()) list.sort((a, b) => order.get(a)! - order.get(b)!);
  return held;
}
