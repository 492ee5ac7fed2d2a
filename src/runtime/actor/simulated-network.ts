/**
 * The network of a simulated cluster: every envelope between nodes is delivered after a delay
 * drawn from the seeded Random, on the simulated clock, and may be dropped, duplicated or
 * reordered; nodes can be partitioned from one another. Traffic within a node is reliable and in
 * order. Given the same seed and the same sends, the deliveries are the same.
 */
import { intInRange, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';
import type { Envelope, NodeId } from './actor-event.js';
import type { Inspector } from './inspection.js';
import type { Random } from './random.js';
import type { SimulatedClock } from './simulated-clock.js';
import type { Transport, TransportEndpoint } from './transport.js';

/** How unreliable the links between nodes are. */
export interface NetworkFaults {
  minDelayMs: number;
  maxDelayMs: number;
  /** Probability that a message between nodes is lost. */
  dropRate: number;
  /** Probability that a message between nodes arrives twice. */
  duplicateRate: number;
  /** If false, messages on one link (sender node → receiver node) arrive in send order, as on TCP. */
  reorder: boolean;
}

/** A network with small delays and no faults. */
export const RELIABLE_NETWORK: Readonly<NetworkFaults> = Object.freeze({
  minDelayMs: 1,
  maxDelayMs: 5,
  dropRate: 0,
  duplicateRate: 0,
  reorder: false,
});

function probability(key: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new ConfigError(key, value, 'a number from 0 to 1');
  return value;
}

/**
 * Validates network faults.
 *
 * @example
 * ```ts
 * const faults = resolveNetworkFaults({ dropRate: 0.01, reorder: true });
 * ```
 * @throws ConfigError for a bad key or value.
 */
export function resolveNetworkFaults(input: Partial<NetworkFaults> = {}): NetworkFaults {
  rejectUnknownKeys('NetworkFaults', input, Object.keys(RELIABLE_NETWORK));
  const f = { ...RELIABLE_NETWORK, ...input };
  const minDelayMs = intInRange('minDelayMs', f.minDelayMs, 0, Number.MAX_SAFE_INTEGER);
  return {
    minDelayMs,
    maxDelayMs: intInRange('maxDelayMs', f.maxDelayMs, minDelayMs, Number.MAX_SAFE_INTEGER),
    dropRate: probability('dropRate', f.dropRate),
    duplicateRate: probability('duplicateRate', f.duplicateRate),
    reorder: f.reorder === true,
  };
}

/**
 * The simulated network.
 *
 * @example
 * ```ts
 * const network = new SimulatedNetwork(clock, random, { dropRate: 0.05 });
 * network.partition(['broker-1'], ['broker-2', 'broker-3']);
 * network.heal();
 * ```
 */
export class SimulatedNetwork implements Transport {
  private readonly clock: SimulatedClock;
  private readonly random: Random;
  private endpoint: TransportEndpoint | undefined;
  private faults: NetworkFaults;
  private readonly cut = new Set<string>();
  /** Last scheduled delivery time per link, to keep links FIFO when reordering is off. */
  private readonly linkTail = new Map<string, number>();
  inspect: Inspector | undefined;
  private dropRule: ((envelope: Envelope) => boolean) | undefined;

  constructor(clock: SimulatedClock, random: Random, faults: Partial<NetworkFaults> = {}) {
    this.clock = clock;
    this.random = random;
    this.faults = resolveNetworkFaults(faults);
  }

  attach(endpoint: TransportEndpoint): void {
    this.endpoint = endpoint;
  }

  /** Replaces the fault settings from now on. */
  setFaults(faults: Partial<NetworkFaults>): void {
    this.faults = resolveNetworkFaults(faults);
  }

  /** Cuts every link between the two groups, both ways. */
  partition(groupA: readonly NodeId[], groupB: readonly NodeId[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.cut.add(linkKey(a, b));
        this.cut.add(linkKey(b, a));
      }
    }
  }

  /** Cuts a node off from every other node. */
  isolate(node: NodeId, others: readonly NodeId[]): void {
    this.partition(
      [node],
      others.filter((o) => o !== node),
    );
  }

  /**
   * Drops, besides the configured faults, each message for which `rule` returns true (called once
   * per message between nodes; draw from the simulation's Random in it to keep runs replayable).
   * A test that needs, say, only produce responses lost sets one; undefined removes it.
   *
   * @example
   * ```ts
   * network.setDropRule((e) => e.event.type === 'rpc.response' && random.nextFloat() < 0.1);
   * ```
   */
  setDropRule(rule: ((envelope: Envelope) => boolean) | undefined): void {
    this.dropRule = rule;
  }

  /** Restores every link. */
  heal(): void {
    this.cut.clear();
  }

  /** Whether messages from `a` to `b` are currently cut. */
  isCut(a: NodeId, b: NodeId): boolean {
    return this.cut.has(linkKey(a, b));
  }

  send(envelope: Envelope): void {
    const endpoint = this.endpoint;
    if (endpoint === undefined) throw new Error('SimulatedNetwork is not attached to an actor system');
    const fromNode = envelope.from === undefined ? undefined : endpoint.nodeOf(envelope.from);
    const toNode = endpoint.nodeOf(envelope.to);
    // Local traffic (and traffic from outside the system) is reliable and immediate, in order.
    if (fromNode === undefined || toNode === undefined || fromNode === toNode) {
      this.schedule(envelope, 0, fromNode ?? '', toNode ?? '');
      return;
    }
    const f = this.faults;
    if (
      this.isCut(fromNode, toNode) ||
      this.random.nextFloat() < f.dropRate ||
      this.dropRule?.(envelope) === true
    ) {
      this.emitDrop(envelope);
      return;
    }
    const copies = this.random.nextFloat() < f.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (i === 1) this.emit('duplicate', envelope);
      this.schedule(envelope, this.random.nextInt(f.minDelayMs, f.maxDelayMs), fromNode, toNode);
    }
  }

  private schedule(envelope: Envelope, delayMs: number, fromNode: NodeId, toNode: NodeId): void {
    const link = linkKey(fromNode, toNode);
    let at = this.clock.nowMs() + delayMs;
    if (!this.faults.reorder || fromNode === toNode) {
      at = Math.max(at, this.linkTail.get(link) ?? 0);
      this.linkTail.set(link, at);
    }
    this.clock.setTimer(at - this.clock.nowMs(), () => {
      // A partition that began while the message was in flight loses it.
      if (fromNode !== toNode && this.isCut(fromNode, toNode)) {
        this.emitDrop(envelope);
        return;
      }
      this.endpoint!.deliver(envelope);
    });
  }

  private emitDrop(envelope: Envelope): void {
    this.emit('drop', envelope);
  }

  private emit(kind: 'drop' | 'duplicate', envelope: Envelope): void {
    this.inspect?.({
      kind,
      atMs: this.clock.nowMs(),
      from: envelope.from,
      to: envelope.to,
      event: envelope.event.type,
    });
  }
}

function linkKey(a: NodeId, b: NodeId): string {
  return `${a}\u0000${b}`;
}
