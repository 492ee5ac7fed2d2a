/**
 * How events travel between actors. The system hands every send to its Transport, which later
 * calls `deliver` with the envelope. LocalTransport delivers in-process, in order; the simulated
 * network adds delay, loss, duplication, reordering and partitions under a seeded schedule;
 * MessagePortTransport (message-port-transport.ts) joins the systems of worker threads.
 */
import type { Envelope, NodeId } from './actor-event.js';

/** What a transport needs from the actor system. */
export interface TransportEndpoint {
  /** Hands an envelope to its target actor (dropped if the target is gone). */
  deliver(envelope: Envelope): void;
  /** The node an actor lives on, or undefined if there is no such actor. */
  nodeOf(id: string): NodeId | undefined;
}

/**
 * Carries envelopes between actors.
 *
 * @example
 * ```ts
 * const system = new ActorSystem({ clock, random, transport: new LocalTransport() });
 * ```
 */
export interface Transport {
  /** Called once by the actor system that uses this transport. */
  attach(endpoint: TransportEndpoint): void;
  send(envelope: Envelope): void;
}

/**
 * In-process delivery, in send order, each envelope in its own microtask: a send from inside an
 * actor never re-enters another actor's transition on the same stack.
 *
 * @example
 * ```ts
 * const transport = new LocalTransport();
 * ```
 */
export class LocalTransport implements Transport {
  private endpoint: TransportEndpoint | undefined;

  attach(endpoint: TransportEndpoint): void {
    this.endpoint = endpoint;
  }

  send(envelope: Envelope): void {
    const endpoint = this.endpoint;
    if (endpoint === undefined) throw new Error('LocalTransport is not attached to an actor system');
    queueMicrotask(() => endpoint.deliver(envelope));
  }
}
