/**
 * The runtime of `KStream.pipe(...)`: a synchronous Subject per task feeding the user's RxJS
 * operators. RxJS reports errors thrown in a subscriber asynchronously, so both the operators'
 * errors (the error channel) and the children's (caught in `next`) are kept and rethrown
 * synchronously after each record: a failure fails the record that caused it.
 */
import { type OperatorFunction, Subject } from 'rxjs';
import type { Header, StreamRecord } from '../../dsl/stream-record.js';
import type { Forward } from './forward.js';

/**
 * A Forward that runs `operators` over each record and forwards what they emit to `child`.
 *
 * @example
 * ```ts
 * const forward = pipeProcessor([map((r) => r)], child);
 * ```
 * @throws from the returned Forward: whatever an operator or the child threw, for this record and
 * every later one (an RxJS chain that errored is closed).
 */
export function pipeProcessor(operators: readonly ((source: never) => unknown)[], child: Forward): Forward {
  const subject = new Subject<StreamRecord<unknown, unknown>>();
  let failure: { error: unknown } | undefined;
  const ops = operators as unknown as OperatorFunction<unknown, unknown>[];
  // Subject.pipe is typed for a fixed arity; reducing applies the same operators in order.
  const output = ops.reduce<import('rxjs').Observable<unknown>>((obs, op) => op(obs), subject);
  output.subscribe({
    next: (out) => {
      if (failure !== undefined) return;
      const r = out as StreamRecord<unknown, unknown>;
      try {
        child(r.key, r.value, r.timestamp, r.headers);
      } catch (error) {
        failure = { error };
      }
    },
    error: (error: unknown) => {
      failure ??= { error };
    },
  });
  return (key: unknown, value: unknown, timestamp: number, headers: readonly Header[]) => {
    if (failure === undefined) subject.next({ key, value, timestamp, headers });
    if (failure !== undefined) throw failure.error;
  };
}
