/**
 * What actors exchange. Every actor has a system-wide id and lives on a node (a broker, a client
 * process, a worker); the simulated network partitions and delays traffic between nodes.
 * Events are plain objects with a `type`; on the data plane they carry record batches, never
 * single records (DESIGN.md §3).
 */

/** A system-wide actor id, such as `broker-1/replica/orders-0`. */
export type ActorId = string;

/** The node an actor lives on, such as `broker-1`. */
export type NodeId = string;

/** An event sent to an actor. */
export interface ActorEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** An event in flight between two actors. */
export interface Envelope {
  /** The sender, or undefined for events from outside the actor system (tests, callers). */
  readonly from: ActorId | undefined;
  readonly to: ActorId;
  readonly event: ActorEvent;
}

/**
 * The node part of an actor id: everything before the first `/`, or the whole id.
 *
 * @example
 * ```ts
 * nodeOfId('broker-1/replica/orders-0'); // 'broker-1'
 * ```
 */
export function nodeOfId(id: ActorId): NodeId {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}
