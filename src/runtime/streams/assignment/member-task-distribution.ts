/**
 * Within one client, its tasks over its stream threads (group members): evenly (counts differ
 * by at most one) and sticky (a thread keeps the tasks it had). Stateful actives are spread
 * first and stateless ones fill around them, so restoration work is spread too; standbys are
 * spread on their own.
 */
import type { ClientTasks } from './client-task-assignor.js';
import { stickyBalance } from './sticky-balance.js';

/**
 * A member (stream thread) of a client, with what it owned before.
 *
 * @example
 * ```ts
 * const m: ClientMember = { memberId: 'c-1', previousActive: new Set(['0_1']), previousStandby: new Set() };
 * ```
 */
export interface ClientMember {
  readonly memberId: string;
  readonly previousActive: ReadonlySet<string>;
  readonly previousStandby: ReadonlySet<string>;
}

/**
 * Distributes a client's tasks over its members (given in member order).
 *
 * @example
 * ```ts
 * const perMember = distributeToMembers(members, clientTasks, (t) => statefulKeys.has(t));
 * perMember.get('c-1'); // { active: ['0_1'], standby: [] }
 * ```
 */
export function distributeToMembers(
  members: readonly ClientMember[],
  tasks: ClientTasks,
  isStateful: (task: string) => boolean,
): Map<string, { active: string[]; standby: string[] }> {
  const bins = (base: (memberId: string) => number) =>
    members.map((m) => ({ id: m.memberId, capacity: 1, baseLoad: base(m.memberId) }));
  const owner = (pick: (m: ClientMember) => ReadonlySet<string>) => (task: string) =>
    members.find((m) => pick(m).has(task))?.memberId;
  const spread = (
    items: string[],
    base: (memberId: string) => number,
    sticky: (t: string) => string | undefined,
  ) => stickyBalance({ items, bins: bins(base), stickyBin: sticky, cost: () => 0, balanceFactor: 1 });

  const previousActive = owner((m) => m.previousActive);
  const stateful = spread(tasks.active.filter(isStateful), () => 0, previousActive);
  const stateless = spread(
    tasks.active.filter((t) => !isStateful(t)),
    (id) => stateful.get(id)!.length,
    previousActive,
  );
  // A thread that had the task active has its state too: as good a home for the standby.
  const previousStandby = owner((m) => m.previousStandby);
  const standby = spread(
    tasks.standby,
    () => 0,
    (t) => previousStandby(t) ?? previousActive(t),
  );
  const rank = new Map([...tasks.active, ...tasks.standby].map((t, i) => [t, i]));
  const order = (a: string, b: string) => rank.get(a)! - rank.get(b)!;
  return new Map(
    members.map((m) => [
      m.memberId,
      {
        active: [...stateful.get(m.memberId)!, ...stateless.get(m.memberId)!].sort(order),
        standby: standby.get(m.memberId)!,
      },
    ]),
  );
}
