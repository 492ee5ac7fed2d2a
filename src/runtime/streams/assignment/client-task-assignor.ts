/**
 * The high-availability task assignor (KIP-441's semantics, written anew): which client (app
 * instance) runs each task, and which keep standby copies of stateful tasks.
 *
 * 1. Target. Stateful tasks are balanced over clients by thread count (sticky-balance.ts): a
 *    task stays with its previous active client; others prefer the client with the least lag.
 * 2. Caught up or stay. A task whose target client is caught up (lag ≤ acceptableRecoveryLag;
 *    the previous owner always is) runs there. Otherwise, if some client is caught up, the task
 *    stays on the most caught-up one (least lag, the previous owner first) so it is never down
 *    while a new owner restores; the move is pending. If no client is caught up, it runs at
 *    the target: every choice restores anyway.
 * 3. Standbys. Each stateful task gets numStandbyReplicas standbys on distinct clients other than
 *    its active one: least lag first, then its previous holder, then the least loaded.
 * 4. Warmups. Each pending move puts a warmup standby on its target (at most maxWarmupReplicas
 *    in the group; a target that already holds a standby needs none), and asks for a probing
 *    rebalance, after which the caught-up target takes the task over.
 * 5. Stateless tasks are balanced over the clients' total active load, sticky as in 1.
 */

import { stickyBalance } from './sticky-balance.js';
import type { StreamsAssignorConfig } from './streams-assignor-config.js';

/**
 * A client as the task assignor sees it.
 *
 * @example
 * ```ts
 * const c: ClientState = { processId: 'p-1', capacity: 2, previousActive: new Set(['0_0']),
 *   previousStandby: new Set(), lags: new Map([['0_0', 0], ['0_1', 5000]]) };
 * ```
 */
export interface ClientState {
  readonly processId: string;
  /** Its stream threads in the group (members): at least 1. */
  readonly capacity: number;
  readonly previousActive: ReadonlySet<string>;
  readonly previousStandby: ReadonlySet<string>;
  /** Lag per stateful task key (task-lags.ts). */
  readonly lags: ReadonlyMap<string, number>;
}

/**
 * A client's tasks.
 *
 * @example
 * ```ts
 * result.clients.get('p-1'); // { active: ['0_0'], standby: ['0_1'], warmup: [] }
 * ```
 */
export interface ClientTasks {
  readonly active: string[];
  /** Standbys, warmups included. */
  readonly standby: string[];
  /** The standbys that are warmups: the task is meant to move here once caught up. */
  readonly warmup: string[];
}

/**
 * The task assignor's output.
 *
 * @example
 * ```ts
 * if (result.probingRebalanceNeeded) scheduleProbe(now + config.probingRebalanceIntervalMs);
 * ```
 */
export interface ClientAssignment {
  readonly clients: Map<string, ClientTasks>;
  /** Some task is not yet where balance wants it (warmups are catching up). */
  readonly probingRebalanceNeeded: boolean;
}

/**
 * Assigns tasks to clients (see the file comment). Task lists must be in task order, clients in
 * process-id order; the output is a function of the input alone.
 *
 * @example
 * ```ts
 * const result = assignTasksToClients(clients, ['0_0', '0_1'], ['1_0'], config);
 * ```
 */
export function assignTasksToClients(
  clients: readonly ClientState[],
  statefulTasks: readonly string[],
  statelessTasks: readonly string[],
  config: StreamsAssignorConfig,
): ClientAssignment {
  const out = new Map<string, ClientTasks>(
    clients.map((c) => [c.processId, { active: [], standby: [], warmup: [] }]),
  );
  if (clients.length === 0) return { clients: out, probingRebalanceNeeded: false };
  const byId = new Map(clients.map((c) => [c.processId, c]));
  const lag = (c: ClientState, task: string) => c.lags.get(task) ?? Number.MAX_SAFE_INTEGER;
  const caughtUp = (c: ClientState, task: string) => lag(c, task) <= config.acceptableRecoveryLag;
  const previousOwner = (task: string) => clients.find((c) => c.previousActive.has(task))?.processId;
  const bins = clients.map((c) => ({ id: c.processId, capacity: c.capacity, baseLoad: 0 }));
  const rank = new Map([...statefulTasks, ...statelessTasks].map((t, i) => [t, i]));
  const taskOrder = (a: string, b: string) => rank.get(a)! - rank.get(b)!;

  const target = stickyBalance({
    items: statefulTasks,
    bins,
    stickyBin: previousOwner,
    cost: (task, bin) => lag(byId.get(bin)!, task),
    balanceFactor: config.balanceFactor,
  });
  const pending: { task: string; target: string }[] = [];
  for (const [bin, tasks] of target) {
    for (const task of tasks) {
      const wanted = byId.get(bin)!;
      const holders = clients.filter((c) => caughtUp(c, task));
      if (caughtUp(wanted, task) || holders.length === 0) {
        out.get(bin)!.active.push(task);
        continue;
      }
      // The most caught-up client keeps it; the previous owner has lag 0, and sorts first.
      const keeper = holders.reduce((best, c) =>
        lag(c, task) < lag(best, task) || (lag(c, task) === lag(best, task) && c.previousActive.has(task))
          ? c
          : best,
      );
      out.get(keeper.processId)!.active.push(task);
      pending.push({ task, target: bin });
    }
  }
  const activeClient = new Map<string, string>();
  for (const [id, t] of out) for (const task of t.active) activeClient.set(task, id);

  const load = (c: ClientState) => {
    const t = out.get(c.processId)!;
    return (t.active.length + t.standby.length) / c.capacity;
  };
  const replicas = Math.min(config.numStandbyReplicas, clients.length - 1);
  const held = (c: ClientState, task: string) => c.previousStandby.has(task) || c.previousActive.has(task);
  // Least lag restores fastest on failover; then the previous holder, for stickiness; then load.
  const standbyBefore = (a: ClientState, b: ClientState, task: string): boolean => {
    if (lag(a, task) !== lag(b, task)) return lag(a, task) < lag(b, task);
    if (held(a, task) !== held(b, task)) return held(a, task);
    return load(a) < load(b);
  };
  for (const task of statefulTasks) {
    for (let n = 0; n < replicas; n++) {
      let best: ClientState | undefined;
      for (const c of clients) {
        const t = out.get(c.processId)!;
        if (activeClient.get(task) === c.processId || t.standby.includes(task)) continue;
        if (best === undefined || standbyBefore(c, best, task)) best = c;
      }
      out.get(best!.processId)!.standby.push(task);
    }
  }

  let warmups = 0;
  for (const { task, target: bin } of [...pending].sort((a, b) => taskOrder(a.task, b.task))) {
    const t = out.get(bin)!;
    if (t.standby.includes(task) || warmups >= config.maxWarmupReplicas) continue;
    t.standby.push(task);
    t.warmup.push(task);
    warmups++;
  }

  const stateless = stickyBalance({
    items: statelessTasks,
    bins: clients.map((c) => ({
      id: c.processId,
      capacity: c.capacity,
      baseLoad: out.get(c.processId)!.active.length,
    })),
    stickyBin: previousOwner,
    cost: () => 0,
    balanceFactor: config.balanceFactor,
  });
  for (const [id, t] of out) {
    t.active.push(...stateless.get(id)!);
    t.active.sort(taskOrder);
    t.standby.sort(taskOrder);
    t.warmup.sort(taskOrder);
  }
  return { clients: out, probingRebalanceNeeded: pending.length > 0 };
}
