/**
 * Requests a producer sends to coordinators (InitProducerId, AddPartitionsToTxn, EndTxn,
 * TxnOffsetCommit …), retried as Kafka's clients retry them: a coordinator that moved or is
 * loading is looked up again, CONCURRENT_TRANSACTIONS and timeouts are retried after a backoff,
 * until a deadline on the injected clock. Anything else is the caller's to classify.
 */
import { MillraceError } from '../../../common/errors.js';
import { RequestTimedOutError } from '../../../common/kafka-errors.js';
import type { Clock } from '../../../runtime/actor/clock.js';
import type { EmbeddedLogClient } from '../embedded-log-client.js';

/** Which coordinator a request goes to. */
export type CoordinatorKey =
  | { readonly kind: 'transaction'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'any' };

/** First backoff after CONCURRENT_TRANSACTIONS (see `call`). */
const CONCURRENT_TRANSACTIONS_BACKOFF_MS = 20;

/** Errors after which the coordinator is looked up again. */
const MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER']);

/**
 * Sends coordinator requests with lookups and retries.
 *
 * @example
 * ```ts
 * const caller = new CoordinatorCaller(client, clock, 100, 30_000);
 * const ids = await caller.call({ kind: 'transaction', id: 'app-1' }, initRequest, clock.nowMs() + 60_000);
 * ```
 */
export class CoordinatorCaller {
  private readonly coordinators = new Map<string, number>();

  constructor(
    private readonly client: EmbeddedLogClient,
    private readonly clock: Clock,
    private readonly retryBackoffMs: number,
    /** One attempt's limit: a coordinator that died must not hold the call until the deadline. */
    private readonly requestTimeoutMs = 30_000,
  ) {}

  /**
   * Sends `request` to the coordinator of `key` until it is answered without a retriable error or
   * `deadlineMs` (on the clock) passes.
   *
   * @throws the coordinator's non-retriable error; RequestTimedOutError (retriable) at the deadline,
   *   with the last retriable error as its cause.
   */
  async call<T>(
    key: CoordinatorKey,
    request: { type: string; [field: string]: unknown },
    deadlineMs: number,
  ): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadlineMs - this.clock.nowMs();
      if (remaining <= 0) {
        throw new RequestTimedOutError(
          `${request.type} did not complete before its deadline (last error: ${describe(lastError)})`,
        );
      }
      try {
        const broker = await this.coordinatorOf(key);
        return await this.client.brokerCall<T>(broker, request, Math.min(remaining, this.requestTimeoutMs));
      } catch (err) {
        if (!(err instanceof MillraceError) || !err.retriable) throw err;
        lastError = err;
        if (MOVED.has(err.code) || err.code === 'REQUEST_TIMED_OUT') this.forget(key);
        // A coordinator answers CONCURRENT_TRANSACTIONS while it finishes the transaction before
        // (an EndTxn, or the abort of a dead producer's transaction at initTransactions): a few
        // milliseconds of marker writes. Kafka's producer retries it sooner than other errors
        // (20 ms for AddPartitionsToTxn, KAFKA-5477); so does this, for every coordinator call.
        const base =
          err.code === 'CONCURRENT_TRANSACTIONS'
            ? Math.min(CONCURRENT_TRANSACTIONS_BACKOFF_MS, this.retryBackoffMs)
            : this.retryBackoffMs;
        await this.delay(Math.min(base * 2 ** Math.min(attempt, 4), 1000));
      }
    }
  }

  /** Drops the cached coordinator of `key`, so the next call looks it up. */
  forget(key: CoordinatorKey): void {
    this.coordinators.delete(cacheKey(key));
  }

  private async coordinatorOf(key: CoordinatorKey): Promise<number> {
    const k = cacheKey(key);
    const cached = this.coordinators.get(k);
    if (cached !== undefined) return cached;
    const broker =
      key.kind === 'transaction'
        ? await this.client.findTransactionCoordinator(key.id)
        : key.kind === 'group'
          ? await this.client.findCoordinator(key.id)
          : await this.client.anyBroker();
    this.coordinators.set(k, broker);
    return broker;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }
}

function cacheKey(key: CoordinatorKey): string {
  return key.kind === 'any' ? 'any' : `${key.kind}:${key.id}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : 'none';
}
