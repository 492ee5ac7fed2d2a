/**
 * A lifecycle machine run as an XState actor (the stream thread and task lifecycles use it)
 * (DESIGN.md §5): the machine says which transitions exist, and an event the current state does
 * not accept is a bug in millrace's own code — it fails an assertion instead of being ignored, as
 * XState would otherwise do silently.
 */
import { type AnyStateMachine, createActor } from 'xstate';
import { assert } from '../../common/assert.js';

/**
 * A running lifecycle.
 *
 * @example
 * ```ts
 * const life = new Lifecycle<StreamTaskState, StreamTaskEvent>(streamTaskMachine, 'task 1_0');
 * life.send({ type: 'RESTORE' });
 * life.state; // 'restoring'
 * ```
 * @throws AssertionFailedError from `send` when the current state does not accept the event.
 */
export class Lifecycle<State extends string, Event extends { readonly type: string }> {
  private readonly actor;

  constructor(
    machine: AnyStateMachine,
    private readonly name: string,
    /** Told of every change of state. */
    private readonly onChange?: (next: State, previous: State) => void,
  ) {
    this.actor = createActor(machine).start();
  }

  /** The current state. */
  get state(): State {
    return this.actor.getSnapshot().value as State;
  }

  /** True when the current state accepts `event`. */
  can(event: Event): boolean {
    return this.actor.getSnapshot().can(event);
  }

  /** Moves on with `event`, which the current state must accept. */
  send(event: Event): void {
    const previous = this.state;
    assert(this.can(event), `${this.name}: ${event.type} is not a transition out of ${previous}`);
    this.actor.send(event);
    const next = this.state;
    if (next !== previous) this.onChange?.(next, previous);
  }
}
