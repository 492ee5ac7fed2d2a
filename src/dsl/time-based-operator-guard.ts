/**
 * Refuses time-based RxJS operators in `pipe(...)` (DESIGN.md §6): per-record work is synchronous
 * and stream time, not wall time, drives windows.
 *
 * How it detects them, robustly: every RxJS time-based operator (delay, debounceTime, bufferTime,
 * auditTime, throttleTime, timeout, sampleTime, and anything built on interval/timer) does its work
 * by calling `schedule` on a SchedulerLike, either when subscribed or when a value arrives. Each
 * operator is probed alone: subscribed on a fresh Subject and fed one probe record and completion,
 * while `Scheduler.prototype.schedule` (the method every built-in and virtual-time scheduler
 * inherits) is replaced by a recorder that schedules nothing. Probing operators alone means a
 * user function that throws on the probe record cannot hide a later operator. The offending
 * operator's name is read from the call stack (RxJS's files are named after their operators) to
 * suggest the windowing operator to use.
 */
import { Scheduler, Subject, Subscription } from 'rxjs';
import { TopologyError } from '../common/errors.js';
import type { StreamRecord } from './stream-record.js';

const ADVICE: Readonly<Record<string, string>> = {
  delay: 'a Processor API punctuator (process() with schedule on stream time)',
  delayWhen: 'a Processor API punctuator (process() with schedule on stream time)',
  debounceTime: 'windowedBy(SessionWindows) with suppress(untilWindowCloses())',
  auditTime: 'windowedBy(TimeWindows) with suppress(untilWindowCloses())',
  throttleTime: 'windowedBy(TimeWindows) with suppress(untilWindowCloses())',
  sampleTime: 'windowedBy(TimeWindows) with suppress(untilWindowCloses())',
  bufferTime: 'groupByKey().windowedBy(TimeWindows).aggregate(...)',
  windowTime: 'groupByKey().windowedBy(TimeWindows).aggregate(...)',
  timeout: 'a Processor API punctuator on wall-clock time',
  timeoutWith: 'a Processor API punctuator on wall-clock time',
};
const DEFAULT_ADVICE = 'windowedBy(TimeWindows | SessionWindows) or a Processor API punctuator';

const PROBE: StreamRecord<null, null> = { key: null, value: null, timestamp: 0, headers: [] };

function operatorFromStack(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  const names = [...stack.matchAll(/[/\\](?:operators|observable)[/\\](\w+)\.js/g)].map((m) => m[1]!);
  return names.find((n) => n in ADVICE) ?? names.find((n) => n !== 'OperatorSubscriber' && n !== 'innerFrom');
}

/** Runs `operator` once on a probe; returns the name of what scheduled, or undefined if nothing did. */
function probe(operator: (source: Subject<unknown>) => unknown): string | null | undefined {
  const proto = Scheduler.prototype as { schedule: (...args: unknown[]) => Subscription };
  const original = proto.schedule;
  const stackLimit = Error.stackTraceLimit;
  // The operator's frame can sit deep under RxJS's subscriber plumbing.
  Error.stackTraceLimit = 60;
  let scheduled: string | null | undefined;
  proto.schedule = function recordSchedule(): Subscription {
    scheduled ??= operatorFromStack(new Error().stack) ?? null;
    return new Subscription();
  };
  const subject = new Subject<unknown>();
  let subscription: Subscription | undefined;
  try {
    const out = operator(subject) as { subscribe?: (o: object) => Subscription };
    subscription = out.subscribe?.({ error: () => undefined });
    subject.next(PROBE);
    subject.complete();
  } catch {
    // A user function may reject the probe record; what matters is whether anything scheduled.
  } finally {
    proto.schedule = original;
    Error.stackTraceLimit = stackLimit;
    subscription?.unsubscribe();
  }
  return scheduled;
}

/**
 * Throws when any operator schedules work on an RxJS scheduler.
 *
 * @example
 * ```ts
 * assertNoTimeBasedOperators('KSTREAM-PIPE-0000000001', [map((r) => r), debounceTime(10)]); // throws
 * ```
 * @throws TopologyError naming the operator and the windowing operator to use instead.
 */
export function assertNoTimeBasedOperators(
  nodeName: string,
  operators: readonly ((source: never) => unknown)[],
): void {
  operators.forEach((operator, index) => {
    const found = probe(operator as (source: Subject<unknown>) => unknown);
    if (found === undefined) return;
    const what = found === null ? 'a time-based operator' : `the time-based operator ${found}`;
    const advice = (found !== null && ADVICE[found]) || DEFAULT_ADVICE;
    throw new TopologyError(
      `pipe(...) of '${nodeName}' uses ${what} (operator ${index + 1}); stream processing runs on stream time, not timers. Use ${advice} instead.`,
    );
  });
}
