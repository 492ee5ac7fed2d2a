/**
 * A task's lifecycle (Kafka Streams' Task.State), active and standby alike, as an XState machine:
 *
 * ```
 *   created ──RESTORE──► restoring ──RESTORED──► running ──SUSPEND──► suspended ──CLOSE──► closed
 *      │                    │                                            ▲
 *      └────────────────────┴──────────────── SUSPEND ───────────────────┘
 * ```
 *
 * restoring: the stores replay their changelogs (an active task to their end before it
 * processes; a standby one slice at a time, then keeps doing so while running). suspended: no
 * longer processing or updating, its uncommitted writes dropped, its stores still open; closed:
 * stores closed (or handed to the task that takes the state over).
 */
import { setup } from 'xstate';
import { Lifecycle } from '../actor/lifecycle.js';

/**
 * A task's states.
 *
 * @example
 * ```ts
 * const s: StreamTaskState = task.state; // 'running'
 * ```
 */
export type StreamTaskState = 'created' | 'restoring' | 'running' | 'suspended' | 'closed';

/**
 * The events of a task's lifecycle.
 *
 * @example
 * ```ts
 * const event: StreamTaskEvent = { type: 'RESTORED' };
 * ```
 */
export type StreamTaskEvent =
  | { readonly type: 'RESTORE' }
  | { readonly type: 'RESTORED' }
  | { readonly type: 'SUSPEND' }
  | { readonly type: 'CLOSE' };

/**
 * The machine; run it through `Lifecycle`.
 *
 * @example
 * ```ts
 * const life = new Lifecycle<StreamTaskState, StreamTaskEvent>(streamTaskMachine, 'task 1_0');
 * ```
 */
export const streamTaskMachine = setup({
  types: { events: {} as StreamTaskEvent },
}).createMachine({
  id: 'streamTask',
  initial: 'created' satisfies StreamTaskState,
  states: {
    created: { on: { RESTORE: 'restoring', SUSPEND: 'suspended' } },
    restoring: { on: { RESTORED: 'running', SUSPEND: 'suspended' } },
    running: { on: { SUSPEND: 'suspended' } },
    suspended: { on: { CLOSE: 'closed' } },
    closed: { type: 'final' },
  },
});

/**
 * A task's lifecycle, started and already restoring (every task, active or standby, opens by
 * restoring its stores).
 *
 * @example
 * ```ts
 * const life = restoringTaskLifecycle('standby task 1_0'); // life.state === 'restoring'
 * ```
 */
export function restoringTaskLifecycle(name: string): Lifecycle<StreamTaskState, StreamTaskEvent> {
  const life = new Lifecycle<StreamTaskState, StreamTaskEvent>(streamTaskMachine, name);
  life.send({ type: 'RESTORE' });
  return life;
}
