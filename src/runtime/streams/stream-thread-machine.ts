/**
 * A stream thread's lifecycle (Kafka Streams' StreamThread.State), as an XState machine:
 *
 * ```
 *   created ──START──► starting ──ASSIGNED──► partitionsAssigned ──TASKS_READY──► running
 *                                               ▲        │  ▲                       │
 *                                               │        └──┘ ASSIGNED              │
 *                                               └───────────── ASSIGNED ────────────┘
 *   any state but dead ──SHUTDOWN──► pendingShutdown ──STOPPED──► dead
 * ```
 *
 * ASSIGNED: the group gave the thread a new assignment (it syncs its tasks); TASKS_READY: every
 * assigned task is open. A thread that fails also goes through pendingShutdown (it commits what
 * it can and closes its tasks) to dead.
 */
import { setup } from 'xstate';
import type { StreamThreadState } from './stream-thread-types.js';

/**
 * The events of a stream thread's lifecycle.
 *
 * @example
 * ```ts
 * const event: StreamThreadEvent = { type: 'ASSIGNED' };
 * ```
 */
export type StreamThreadEvent =
  | { readonly type: 'START' }
  | { readonly type: 'ASSIGNED' }
  | { readonly type: 'TASKS_READY' }
  | { readonly type: 'SHUTDOWN' }
  | { readonly type: 'STOPPED' };

const shutdown = { SHUTDOWN: 'pendingShutdown' } as const;

/**
 * The machine; run it through `Lifecycle`.
 *
 * @example
 * ```ts
 * const life = new Lifecycle<StreamThreadState, StreamThreadEvent>(streamThreadMachine, 'thread p1-1');
 * ```
 */
export const streamThreadMachine = setup({
  types: { events: {} as StreamThreadEvent },
}).createMachine({
  id: 'streamThread',
  initial: 'created' satisfies StreamThreadState,
  states: {
    created: { on: { START: 'starting', ...shutdown } },
    starting: { on: { ASSIGNED: 'partitionsAssigned', ...shutdown } },
    partitionsAssigned: {
      on: { ASSIGNED: { target: 'partitionsAssigned', reenter: true }, TASKS_READY: 'running', ...shutdown },
    },
    running: { on: { ASSIGNED: 'partitionsAssigned', ...shutdown } },
    pendingShutdown: { on: { STOPPED: 'dead' } },
    dead: { type: 'final' },
  },
});
