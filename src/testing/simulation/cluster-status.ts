/**
 * Where a SimulatedCluster's instances stand, in words and numbers: each live thread's state,
 * tasks and counters, and the active tasks of each instance — for failure reports and tests.
 */
import type { SimulatedInstance } from './simulated-instance.js';

/**
 * Each live thread's state, tasks and counters, one line per thread.
 *
 * @example
 * ```ts
 * describeThreads(instances); // ['  i1 app-i1.1-t1: running, tasks [0_1, 1_0], 12 in, 12 out, 4 commits, 0 aborts']
 * ```
 */
export function describeThreads(instances: readonly SimulatedInstance[]): string[] {
  const out: string[] = [];
  for (const i of instances) {
    if (!i.running) continue;
    for (const [n, t] of i.streamThreads.entries()) {
      const m = t.metrics;
      out.push(
        `  ${i.id} ${i.nodes[n]}: ${t.state}, tasks [${t.activeTaskIds().join(', ')}], ${m.recordsIn} in, ${m.recordsOut} out, ${m.commits} commits, ${m.aborts} aborts${m.lastAbortReason === undefined ? '' : ` (last: ${m.lastAbortReason})`}`,
      );
    }
  }
  return out;
}

/**
 * The active tasks of each live instance, by instance id.
 *
 * @example
 * ```ts
 * taskPlacement(instances); // Map { 'i1' => ['0_1', '1_0'], 'i2' => ['0_0'] }
 * ```
 */
export function taskPlacement(instances: readonly SimulatedInstance[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of instances) {
    if (i.running)
      out.set(
        i.id,
        i.streamThreads.flatMap((t) => t.activeTaskIds()),
      );
  }
  return out;
}
