/**
 * Request and response between actors: a request event carries a correlation id and the actor to
 * reply to; the response comes back as an `rpc.response` event. Errors travel as WireErrors and
 * become typed errors again at the caller. `RpcClient` gives code outside the actors (clients,
 * tests) promise-returning calls with timeouts on the injected clock, through the same transport
 * as everything else, so a simulated network delays, drops and partitions them too.
 */

import { fromCallback } from 'xstate';
import {
  fromWireError,
  RequestTimedOutError,
  toWireError,
  type WireError,
} from '../../common/kafka-errors.js';
import type { ActorEvent, ActorId, NodeId } from './actor-event.js';
import type { ActorContext, ActorInput, ActorSystem } from './actor-system.js';
import type { TimerHandle } from './clock.js';

/** Fields every request event has. */
export interface RpcRequest extends ActorEvent {
  readonly correlationId: number;
  readonly replyTo: ActorId;
}

/** The reply to a request. */
export interface RpcResponse extends ActorEvent {
  readonly type: 'rpc.response';
  readonly correlationId: number;
  readonly result?: unknown;
  readonly error?: WireError;
}

/**
 * Replies to `request` with a result.
 *
 * @example
 * ```ts
 * reply(context.actor, event, { highWatermark: 42 });
 * ```
 */
export function reply(actor: ActorContext, request: RpcRequest, result: unknown): void {
  actor.send(request.replyTo, { type: 'rpc.response', correlationId: request.correlationId, result });
}

/**
 * Replies to `request` with an error (sent as its Kafka error code).
 *
 * @example
 * ```ts
 * replyError(context.actor, event, new NotLeaderOrFollowerError('orders-0 is led by broker 2'));
 * ```
 */
export function replyError(actor: ActorContext, request: RpcRequest, error: unknown): void {
  actor.send(request.replyTo, {
    type: 'rpc.response',
    correlationId: request.correlationId,
    error: toWireError(error),
  });
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: TimerHandle;
}

/**
 * Makes requests to actors from outside them, as promises.
 *
 * @example
 * ```ts
 * const rpc = new RpcClient(system, 'client-1');
 * const metadata = await rpc.call('broker-1/broker', { type: 'metadata.request', topics: [] }, 30_000);
 * ```
 */
export class RpcClient {
  readonly id: ActorId;
  private readonly system: ActorSystem;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;

  constructor(system: ActorSystem, node: NodeId, name = 'rpc') {
    this.system = system;
    let id = `${node}/${name}`;
    for (let n = 2; system.has(id); n++) id = `${node}/${name}-${n}`;
    this.id = id;
    const logic = fromCallback<RpcResponse, ActorInput>(({ receive }) => {
      receive((event) => this.onResponse(event));
    });
    system.spawn({ id, logic, supervision: { restart: 'never' } });
  }

  /**
   * Sends `request` to `to` and resolves with the result, or rejects with the typed error the
   * actor replied with, or RequestTimedOutError after `timeoutMs` on the clock.
   */
  call<T = unknown>(to: ActorId, request: ActorEvent, timeoutMs: number): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    return new Promise<T>((resolve, reject) => {
      const timer = this.system.clock.setTimer(timeoutMs, () => {
        if (this.pending.delete(correlationId)) {
          reject(new RequestTimedOutError(`${request.type} to ${to} got no answer within ${timeoutMs} ms`));
        }
      });
      this.pending.set(correlationId, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.system.send(this.id, to, { ...request, correlationId, replyTo: this.id });
    });
  }

  /** Fails every call still waiting, and leaves the system. */
  close(): void {
    for (const [id, p] of this.pending) {
      p.timer.cancel();
      p.reject(new RequestTimedOutError(`call ${id} abandoned: the client closed`));
    }
    this.pending.clear();
    this.system.stop(this.id);
  }

  private onResponse(event: RpcResponse): void {
    const p = this.pending.get(event.correlationId);
    // A late or duplicated response (the network may duplicate) finds nothing and is ignored.
    if (p === undefined) return;
    this.pending.delete(event.correlationId);
    p.timer.cancel();
    if (event.error !== undefined) p.reject(fromWireError(event.error));
    else p.resolve(event.result);
  }
}
