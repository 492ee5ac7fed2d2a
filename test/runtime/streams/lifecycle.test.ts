/**
 * The stream thread and task lifecycles: each machine accepts exactly the transitions of Kafka
 * Streams' state diagrams (written out here as tables, independently of the machines), and an
 * event a state does not accept fails an assertion instead of being ignored.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { AssertionFailedError } from '../../../src/common/errors.js';
import { Lifecycle } from '../../../src/runtime/actor/lifecycle.js';
import {
  type StreamTaskEvent,
  type StreamTaskState,
  streamTaskMachine,
} from '../../../src/runtime/streams/stream-task-machine.js';
import {
  type StreamThreadEvent,
  streamThreadMachine,
} from '../../../src/runtime/streams/stream-thread-machine.js';
import type { StreamThreadState } from '../../../src/runtime/streams/stream-thread-types.js';

const THREAD: Record<StreamThreadState, Partial<Record<StreamThreadEvent['type'], StreamThreadState>>> = {
  created: { START: 'starting', SHUTDOWN: 'pendingShutdown' },
  starting: { ASSIGNED: 'partitionsAssigned', SHUTDOWN: 'pendingShutdown' },
  partitionsAssigned: { ASSIGNED: 'partitionsAssigned', TASKS_READY: 'running', SHUTDOWN: 'pendingShutdown' },
  running: { ASSIGNED: 'partitionsAssigned', SHUTDOWN: 'pendingShutdown' },
  pendingShutdown: { STOPPED: 'dead' },
  dead: {},
};

const TASK: Record<StreamTaskState, Partial<Record<StreamTaskEvent['type'], StreamTaskState>>> = {
  created: { RESTORE: 'restoring', SUSPEND: 'suspended' },
  restoring: { RESTORED: 'running', SUSPEND: 'suspended' },
  running: { SUSPEND: 'suspended' },
  suspended: { CLOSE: 'closed' },
  closed: {},
};

/** Random event sequences: the machine follows the table, and refuses what the table lacks. */
function followsTable<S extends string, E extends { type: string }>(
  machine: AnyStateMachine,
  table: Record<S, Partial<Record<string, S>>>,
  events: E['type'][],
  initial: S,
): void {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...events), { maxLength: 30 }), (sequence) => {
      const changes: [S, S][] = [];
      const life = new Lifecycle<S, E>(machine, 'under test', (next, previous) =>
        changes.push([previous, next]),
      );
      let model = initial;
      let expectedChanges = 0;
      for (const type of sequence) {
        const next = table[model][type];
        const event = { type } as E;
        expect(life.can(event)).toBe(next !== undefined);
        if (next === undefined) {
          expect(() => life.send(event)).toThrow(AssertionFailedError);
        } else {
          life.send(event);
          if (next !== model) expectedChanges++;
          model = next;
        }
        expect(life.state).toBe(model);
      }
      expect(changes.length).toBe(expectedChanges);
    }),
    { numRuns: 300 },
  );
}

describe('stream thread lifecycle', () => {
  it('follows created → starting → partitionsAssigned ⇄ running → pendingShutdown → dead', () => {
    followsTable(
      streamThreadMachine,
      THREAD,
      ['START', 'ASSIGNED', 'TASKS_READY', 'SHUTDOWN', 'STOPPED'],
      'created',
    );
  });

  it('names the lifecycle and the refused transition', () => {
    const life = new Lifecycle<StreamThreadState, StreamThreadEvent>(
      streamThreadMachine,
      'stream thread t-1',
    );
    expect(() => life.send({ type: 'TASKS_READY' })).toThrow(
      'stream thread t-1: TASKS_READY is not a transition out of created',
    );
  });
});

describe('stream task lifecycle', () => {
  it('follows created → restoring → running → suspended → closed', () => {
    followsTable(streamTaskMachine, TASK, ['RESTORE', 'RESTORED', 'SUSPEND', 'CLOSE'], 'created');
  });
});
