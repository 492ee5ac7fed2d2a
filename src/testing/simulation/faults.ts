/**
 * The faults a SimulatedCluster can suffer, as plain data: a fault schedule is a list of
 * `{ atMs, fault }`, so fast-check can generate and shrink it and a failure can print it. Faults
 * name instances and brokers by index into the ones alive at that moment (modulo their number),
 * so every schedule stays valid however it is shrunk.
 */

/**
 * One fault.
 *
 * - `crashInstance`: kill -9 of an instance (its in-memory stores are lost); it comes back as a new
 *   incarnation after `restartAfterMs`, or only when the cluster quiesces.
 * - `addInstance`: a new instance joins (a rebalance).
 * - `removeInstance`: an instance shuts down cleanly (commits, closes, leaves the group).
 * - `stallInstance`: an instance is cut off from everyone for `forMs` (a long GC pause or a network
 *   blip, as the rest of the cluster sees it): past the session timeout it is thrown out of the
 *   group and its transaction aborted, and when it comes back it must find out it is a zombie.
 * - `killBroker`: kill -9 of a broker; with `loseUnflushed` its disk also loses the writes it had
 *   not synced (some torn or reordered, as after a power failure). It restarts after
 *   `restartAfterMs`, or only when the cluster quiesces.
 * - `zombieInstance`: an instance is cut off for `forMs` and, taken for dead, replaced at once by a
 *   new incarnation with its identity (the same thread and so transactional ids), as an orchestrator
 *   would reschedule it. When the cut heals, the old incarnation runs on as a zombie for
 *   ZOMBIE_LINGER_MS before it is killed: its producer epoch and group generation must fence it.
 * - `isolateBroker`: a broker is cut off from every other node for `forMs`.
 * - `delayMessages`: every message between nodes takes `minMs`–`maxMs` for `forMs`.
 *
 * @example
 * ```ts
 * const fault: Fault = { kind: 'crashInstance', instance: 0, restartAfterMs: 2000 };
 * ```
 */
export type Fault =
  | { readonly kind: 'crashInstance'; readonly instance: number; readonly restartAfterMs?: number }
  | { readonly kind: 'addInstance' }
  | { readonly kind: 'removeInstance'; readonly instance: number }
  | { readonly kind: 'stallInstance'; readonly instance: number; readonly forMs: number }
  | { readonly kind: 'zombieInstance'; readonly instance: number; readonly forMs: number }
  | {
      readonly kind: 'killBroker';
      readonly broker: number;
      readonly loseUnflushed: boolean;
      readonly restartAfterMs?: number;
    }
  | { readonly kind: 'isolateBroker'; readonly broker: number; readonly forMs: number }
  | {
      readonly kind: 'delayMessages';
      readonly minMs: number;
      readonly maxMs: number;
      readonly forMs: number;
    };

/**
 * How long a zombie (see `zombieInstance`) runs on after its cut heals before it is killed.
 *
 * @example
 * ```ts
 * const lastsMs = fault.forMs + ZOMBIE_LINGER_MS;
 * ```
 */
export const ZOMBIE_LINGER_MS = 3000;

/**
 * The kinds of fault.
 *
 * @example
 * ```ts
 * const kinds: FaultKind[] = ['crashInstance', 'addInstance'];
 * ```
 */
export type FaultKind = Fault['kind'];

/**
 * A fault and when it strikes, in virtual milliseconds after the application started.
 *
 * @example
 * ```ts
 * const schedule: ScheduledFault[] = [{ atMs: 1500, fault: { kind: 'addInstance' } }];
 * ```
 */
export interface ScheduledFault {
  readonly atMs: number;
  readonly fault: Fault;
}

/**
 * A fault in words, for logs and failure reports.
 *
 * @example
 * ```ts
 * describeFault({ kind: 'stallInstance', instance: 1, forMs: 12_000 }); // 'stall instance #1 for 12000 ms'
 * ```
 */
export function describeFault(fault: Fault): string {
  const after = (ms: number | undefined) =>
    ms === undefined ? ', back when the cluster quiesces' : `, back after ${ms} ms`;
  switch (fault.kind) {
    case 'crashInstance':
      return `crash instance #${fault.instance}${after(fault.restartAfterMs)}`;
    case 'addInstance':
      return 'add an instance';
    case 'removeInstance':
      return `shut instance #${fault.instance} down cleanly`;
    case 'stallInstance':
      return `stall instance #${fault.instance} for ${fault.forMs} ms`;
    case 'zombieInstance':
      return `cut instance #${fault.instance} off for ${fault.forMs} ms and replace it; then a zombie`;
    case 'killBroker':
      return `kill broker #${fault.broker}${fault.loseUnflushed ? ', losing its unflushed writes' : ''}${after(fault.restartAfterMs)}`;
    case 'isolateBroker':
      return `isolate broker #${fault.broker} for ${fault.forMs} ms`;
    case 'delayMessages':
      return `delay messages ${fault.minMs}–${fault.maxMs} ms for ${fault.forMs} ms`;
  }
}

/**
 * How long a fault lasts by itself: a stall, isolation or slow spell its `forMs` (a zombie's cut
 * and its lingering), a crash or kill
 * until its restart (0 when it waits for the quiescing), the rest 0.
 *
 * @example
 * ```ts
 * faultDurationMs({ kind: 'stallInstance', instance: 0, forMs: 12_000 }); // 12000
 * ```
 */
export function faultDurationMs(fault: Fault): number {
  switch (fault.kind) {
    case 'zombieInstance':
      return fault.forMs + ZOMBIE_LINGER_MS;
    case 'stallInstance':
    case 'isolateBroker':
    case 'delayMessages':
      return fault.forMs;
    case 'crashInstance':
    case 'killBroker':
      return fault.restartAfterMs ?? 0;
    default:
      return 0;
  }
}
