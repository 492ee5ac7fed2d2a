/**
 * The transport between the actor systems of two threads (DESIGN.md §2, §8): each thread runs its
 * own ActorSystem, and envelopes for actors that live elsewhere travel over a MessagePort.
 *
 * Routing is by node (the part of an actor id before the first `/`):
 * 1. an actor registered in this system, or any actor on one of `localNodes`, is delivered here;
 * 2. a node with a route goes to the peer that owns it — the main thread has one peer per worker,
 *    and learns a worker's nodes when it connects (`connect(port, { nodes })`) or from the
 *    worker's announcement of its local nodes;
 * 3. anything else goes to the upstream peer if there is one (a worker sends the brokers' traffic
 *    to the main thread), or is delivered here, where the actor system records a dead letter.
 * Envelopes arriving from a peer are delivered here, or forwarded along an explicit route (worker
 * to worker through the main thread), never back upstream, so nothing loops.
 *
 * Envelopes sent in one turn to one peer leave together in one postMessage; their bytes are
 * prepared by `preparePayload` (compact copies of partial views, no transfer of shared buffers).
 * When a port closes — a worker exited — its routes are dropped: later envelopes to its nodes are
 * dead letters, and requests it had in flight are simply never answered (callers time out).
 */
import type { MessagePort } from 'node:worker_threads';
import { type Envelope, type NodeId, nodeOfId } from './actor-event.js';
import type { Clock } from './clock.js';
import type { Inspector } from './inspection.js';
import { type PayloadPath, preparePayload, restoreBuffers } from './port-payload.js';
import type { Transport, TransportEndpoint } from './transport.js';

/** Options of a MessagePortTransport. */
export interface MessagePortTransportOptions {
  /** Nodes that live in this thread: envelopes to them are never sent to a peer. */
  localNodes?: Iterable<NodeId>;
  /** Told of envelopes the transport drops (unclonable payloads, closed ports). */
  inspect?: Inspector;
  /** Timestamps the drops told to `inspect`. */
  clock?: Clock;
  /**
   * Told of a class instance inside an outgoing event, which arrives as a plain object without
   * its prototype. Tests set it to fail; production leaves it unset.
   */
  onLossyPayload?: (envelope: Envelope, path: PayloadPath, className: string) => void;
}

/** How a peer is reached. */
export interface ConnectOptions {
  /** Nodes that live behind the port (a worker's node, known to the host that started it). */
  nodes?: Iterable<NodeId>;
  /** Send every envelope without a local actor or explicit route here (a worker's main thread). */
  upstream?: boolean;
}

/** A connection to a peer thread. */
export interface PeerLink {
  /** Nodes currently routed to this peer. */
  readonly nodes: ReadonlySet<NodeId>;
  /** Resolves when the port closed (either side closed it, or the other thread exited). */
  readonly closed: Promise<void>;
  /** Closes the port and drops the peer's routes. */
  close(): void;
}

interface WireEnvelope {
  readonly from: string | undefined;
  readonly to: string;
  readonly event: unknown;
  readonly buffers?: PayloadPath[];
}

type WireMessage =
  | { readonly kind: 'envelopes'; readonly envelopes: WireEnvelope[] }
  | { readonly kind: 'nodes'; readonly nodes: NodeId[] };

interface Peer {
  readonly port: MessagePort;
  readonly nodes: Set<NodeId>;
  queue: WireEnvelope[];
  transfer: ArrayBuffer[];
  flushScheduled: boolean;
  open: boolean;
}

/**
 * Connects this thread's ActorSystem to other threads' over MessagePorts.
 *
 * @example
 * ```ts
 * // main thread: brokers here, one worker behind port1
 * const transport = new MessagePortTransport();
 * const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
 * const { port1, port2 } = new MessageChannel();
 * transport.connect(port1, { nodes: ['worker-1'] });
 * // worker thread: its own system; everything not on 'worker-1' goes upstream
 * const wt = new MessagePortTransport({ localNodes: ['worker-1'] });
 * wt.connect(port2, { upstream: true });
 * ```
 */
export class MessagePortTransport implements Transport {
  private endpoint: TransportEndpoint | undefined;
  private readonly localNodes: Set<NodeId>;
  private readonly routes = new Map<NodeId, Peer>();
  private upstream: Peer | undefined;
  private readonly inspect: Inspector | undefined;
  private readonly clock: Clock | undefined;
  private readonly onLossyPayload: MessagePortTransportOptions['onLossyPayload'];

  constructor(options: MessagePortTransportOptions = {}) {
    this.localNodes = new Set(options.localNodes);
    this.inspect = options.inspect;
    this.clock = options.clock;
    this.onLossyPayload = options.onLossyPayload;
  }

  attach(endpoint: TransportEndpoint): void {
    this.endpoint = endpoint;
  }

  /** Nodes with a route to a peer, sorted. */
  routedNodes(): NodeId[] {
    return [...this.routes.keys()].sort();
  }

  /**
   * Starts exchanging envelopes over `port` and announces this thread's local nodes to the peer.
   * A node already routed to another open peer keeps its first route.
   */
  connect(port: MessagePort, options: ConnectOptions = {}): PeerLink {
    const peer: Peer = { port, nodes: new Set(), queue: [], transfer: [], flushScheduled: false, open: true };
    this.addRoutes(peer, options.nodes ?? []);
    if (options.upstream === true) this.upstream = peer;
    let onClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      onClosed = resolve;
    });
    port.on('message', (message: WireMessage) => this.onMessage(peer, message));
    port.once('close', () => {
      this.dropPeer(peer);
      onClosed();
    });
    if (this.localNodes.size > 0) port.postMessage({ kind: 'nodes', nodes: [...this.localNodes] });
    return { nodes: peer.nodes, closed, close: () => port.close() };
  }

  send(envelope: Envelope): void {
    const endpoint = this.requireEndpoint();
    const node = nodeOfId(envelope.to);
    if (endpoint.nodeOf(envelope.to) !== undefined || this.localNodes.has(node)) {
      // As LocalTransport: a send inside an actor never re-enters another actor on the same stack.
      queueMicrotask(() => endpoint.deliver(envelope));
      return;
    }
    const peer = this.routes.get(node) ?? this.upstream;
    if (peer === undefined) queueMicrotask(() => endpoint.deliver(envelope));
    else this.enqueue(peer, envelope);
  }

  private onMessage(from: Peer, message: WireMessage): void {
    if (message.kind === 'nodes') {
      this.addRoutes(from, message.nodes);
      return;
    }
    const endpoint = this.requireEndpoint();
    for (const wire of message.envelopes) {
      const event = restoreBuffers(wire.event, wire.buffers) as Envelope['event'];
      const envelope: Envelope = { from: wire.from, to: wire.to, event };
      const node = nodeOfId(envelope.to);
      const onward = this.routes.get(node);
      const isLocal = endpoint.nodeOf(envelope.to) !== undefined || this.localNodes.has(node);
      // Forward only along an explicit route to a different peer; never back, never upstream.
      if (!isLocal && onward !== undefined && onward !== from) this.enqueue(onward, envelope);
      else endpoint.deliver(envelope);
    }
  }

  private enqueue(peer: Peer, envelope: Envelope): void {
    const prepared = preparePayload(envelope.event, peer.transfer);
    if (this.onLossyPayload !== undefined) {
      for (const { path, className } of prepared.lossy) this.onLossyPayload(envelope, path, className);
    }
    const wire: WireEnvelope =
      prepared.buffers.length === 0
        ? { from: envelope.from, to: envelope.to, event: prepared.value }
        : { from: envelope.from, to: envelope.to, event: prepared.value, buffers: prepared.buffers };
    peer.queue.push(wire);
    if (peer.flushScheduled) return;
    peer.flushScheduled = true;
    // Everything sent to this peer in the current turn leaves in one message.
    queueMicrotask(() => this.flush(peer));
  }

  private flush(peer: Peer): void {
    peer.flushScheduled = false;
    const envelopes = peer.queue;
    const transfer = peer.transfer;
    peer.queue = [];
    peer.transfer = [];
    if (!peer.open) {
      for (const e of envelopes) this.emitDrop(e);
      return;
    }
    try {
      peer.port.postMessage({ kind: 'envelopes', envelopes }, transfer);
    } catch {
      // One unclonable event (a function, a symbol) must not sink the others: post them one by
      // one and drop only what cannot be cloned. Transfers are left out: copies are safe.
      for (const e of envelopes) {
        try {
          peer.port.postMessage({ kind: 'envelopes', envelopes: [e] });
        } catch {
          this.emitDrop(e);
        }
      }
    }
  }

  private addRoutes(peer: Peer, nodes: Iterable<NodeId>): void {
    for (const node of nodes) {
      if (this.localNodes.has(node)) continue;
      const current = this.routes.get(node);
      if (current !== undefined && current !== peer && current.open) continue;
      this.routes.set(node, peer);
      peer.nodes.add(node);
    }
  }

  private dropPeer(peer: Peer): void {
    peer.open = false;
    for (const node of peer.nodes) if (this.routes.get(node) === peer) this.routes.delete(node);
    peer.nodes.clear();
    if (this.upstream === peer) this.upstream = undefined;
  }

  private emitDrop(e: WireEnvelope): void {
    const type = (e.event as { type?: unknown } | null)?.type;
    this.inspect?.({
      kind: 'drop',
      atMs: this.clock?.nowMs() ?? 0,
      from: e.from,
      to: e.to,
      event: String(type),
    });
  }

  private requireEndpoint(): TransportEndpoint {
    if (this.endpoint === undefined)
      throw new Error('MessagePortTransport is not attached to an actor system');
    return this.endpoint;
  }
}
