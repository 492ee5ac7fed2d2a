/**
 * Supervision: what happens when an actor fails. The failure is reported to the parent as an
 * event, and the actor is restarted with exponential backoff on the injected clock, up to a limit
 * within a window, after which the parent is told the system gave up. Invariant violations are
 * assertions that crash the actor; supervision is how the crash is contained.
 */
import { intInRange, oneOf, rejectUnknownKeys } from '../../common/config.js';
import type { ActorId } from './actor-event.js';

/** When and how a failed actor is restarted. */
export interface RestartStrategy {
  /** `never`: stay stopped; `on-failure`: restart after a failure. */
  restart: 'never' | 'on-failure';
  /** Delay before the first restart. */
  initialBackoffMs: number;
  /** Cap on the delay. */
  maxBackoffMs: number;
  /** Restarts allowed within `windowMs` before giving up. */
  maxRestarts: number;
  windowMs: number;
}

/** The default strategy: restart, backing off from 100 ms to 10 s, at most 10 times a minute. */
export const DEFAULT_RESTART_STRATEGY: Readonly<RestartStrategy> = Object.freeze({
  restart: 'on-failure',
  initialBackoffMs: 100,
  maxBackoffMs: 10_000,
  maxRestarts: 10,
  windowMs: 60_000,
});

/** Sent to the parent when a child fails. */
export interface ActorFailedEvent {
  readonly type: 'actor.failed';
  readonly id: ActorId;
  readonly error: unknown;
  /** When it will be restarted (clock ms), or undefined if it will not be. */
  readonly restartAtMs: number | undefined;
}

/** Sent to the parent when a child has failed more often than its strategy allows. */
export interface ActorGaveUpEvent {
  readonly type: 'actor.gaveUp';
  readonly id: ActorId;
  readonly error: unknown;
  readonly restarts: number;
}

/** Sent to the parent when a child has been restarted. */
export interface ActorRestartedEvent {
  readonly type: 'actor.restarted';
  readonly id: ActorId;
  readonly restarts: number;
}

/** The events supervision sends to a parent. */
export type SupervisionEvent = ActorFailedEvent | ActorGaveUpEvent | ActorRestartedEvent;

/**
 * Fills in and validates a strategy.
 *
 * @example
 * ```ts
 * const strategy = resolveRestartStrategy({ maxRestarts: 3 });
 * ```
 * @throws ConfigError for a bad key or value.
 */
export function resolveRestartStrategy(input: Partial<RestartStrategy> = {}): RestartStrategy {
  rejectUnknownKeys('RestartStrategy', input, Object.keys(DEFAULT_RESTART_STRATEGY));
  const s = { ...DEFAULT_RESTART_STRATEGY, ...input };
  const strategy: RestartStrategy = {
    restart: oneOf('restart', s.restart, ['never', 'on-failure'] as const),
    initialBackoffMs: intInRange('initialBackoffMs', s.initialBackoffMs, 0, Number.MAX_SAFE_INTEGER),
    maxBackoffMs: intInRange('maxBackoffMs', s.maxBackoffMs, 0, Number.MAX_SAFE_INTEGER),
    maxRestarts: intInRange('maxRestarts', s.maxRestarts, 0, Number.MAX_SAFE_INTEGER),
    windowMs: intInRange('windowMs', s.windowMs, 1, Number.MAX_SAFE_INTEGER),
  };
  return strategy;
}

/**
 * The delay before restart number `attempt` (1-based): doubling from the initial backoff, capped.
 *
 * @example
 * ```ts
 * backoffDelayMs(resolveRestartStrategy(), 3); // 400
 * ```
 */
export function backoffDelayMs(strategy: RestartStrategy, attempt: number): number {
  const delay = strategy.initialBackoffMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(delay, strategy.maxBackoffMs);
}

/**
 * Decides what to do about a failure at `nowMs`, given the times of earlier restarts (pruned to
 * the window in place). Returns the restart delay, or undefined to give up or stay stopped.
 *
 * @example
 * ```ts
 * const delay = restartDecision(strategy, restartTimes, clock.nowMs());
 * ```
 */
export function restartDecision(
  strategy: RestartStrategy,
  restartTimes: number[],
  nowMs: number,
): number | undefined {
  if (strategy.restart === 'never') return undefined;
  while (restartTimes.length > 0 && restartTimes[0]! <= nowMs - strategy.windowMs) restartTimes.shift();
  if (restartTimes.length >= strategy.maxRestarts) return undefined;
  return backoffDelayMs(strategy, restartTimes.length + 1);
}
