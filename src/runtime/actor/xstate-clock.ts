/**
 * XState schedules delayed transitions (`after`) through a clock of its own shape; this adapts
 * the injected Clock to it, so machine timers run on virtual time under simulation.
 */
import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { Clock, TimerHandle } from './clock.js';

/** The clock shape XState's createActor accepts. */
export type XStateClock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/**
 * Wraps a Clock for `createActor(logic, { clock })`.
 *
 * @example
 * ```ts
 * const actor = createActor(machine, { clock: toXStateClock(clock) });
 * ```
 */
export function toXStateClock(clock: Clock): XStateClock {
  return {
    setTimeout: (fn: () => void, timeout: number): TimerHandle => clock.setTimer(timeout, fn),
    clearTimeout: (handle: TimerHandle | undefined) => handle?.cancel(),
  };
}
