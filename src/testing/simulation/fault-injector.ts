/**
 * Applying faults (faults.ts) to a SimulatedCluster: crashes, clean departures and joins of
 * instances, stalls, broker kills with lost writes, isolation and slow links — and healing all of
 * them when the cluster quiesces. One network drop rule silences crashed processes' leftovers and
 * cuts stalled instances and isolated brokers off, both ways.
 */
import type { EmbeddedCluster } from '../../log/broker/embedded-cluster.js';
import type { MemoryStorageFs } from '../../log/storage/fs/memory-storage-fs.js';
import {
  type NetworkFaults,
  type NodeId,
  nodeOfId,
  RELIABLE_NETWORK,
  type Simulation,
  type TimerHandle,
} from '../../runtime/actor/index.js';
import { describeFault, type Fault, ZOMBIE_LINGER_MS } from './faults.js';
import type { SimulatedInstance } from './simulated-instance.js';

/**
 * What the fault injector needs of its cluster.
 *
 * @example
 * ```ts
 * const host: FaultHost = { live: () => instances, addInstance, restartInstance, track, note };
 * ```
 */
export interface FaultHost {
  /** The instances running now. */
  live(): SimulatedInstance[];
  /** Adds an instance (a rebalance); returns its id. */
  addInstance(): string;
  /** Starts a crashed instance again (a new incarnation). */
  restartInstance(instance: SimulatedInstance): void;
  /** Keeps a promise (a clean shutdown) for quiescing to await. */
  track(promise: Promise<unknown>): void;
  /** Logs a line with the virtual time. */
  note(line: string): void;
}

/**
 * The faults in force on a cluster, and how to apply and heal them.
 *
 * @example
 * ```ts
 * const faults = new FaultInjector(sim, cluster, disks, {}, host);
 * faults.apply({ kind: 'stallInstance', instance: 0, forMs: 12_000 });
 * faults.heal(); // when quiescing
 * ```
 */
export class FaultInjector {
  /** Nodes of crashed or stopped threads. */
  readonly deadNodes = new Set<NodeId>();
  private readonly downBrokers = new Set<number>();
  private readonly isolatedBrokers = new Set<number>();
  private readonly stalled = new Set<SimulatedInstance>();
  /** Nodes of zombie threads while they are cut off. */
  private readonly cutNodes = new Set<NodeId>();
  private readonly faultTimers = new Set<TimerHandle>();
  private slowUntilMs = 0;
  private readonly baseNetwork: Partial<NetworkFaults>;

  constructor(
    private readonly sim: Simulation,
    private readonly cluster: EmbeddedCluster,
    private readonly disks: ReadonlyMap<number, MemoryStorageFs>,
    network: Partial<NetworkFaults> | undefined,
    private readonly host: FaultHost,
  ) {
    this.baseNetwork = { ...RELIABLE_NETWORK, ...network };
    // One rule silences crashed processes' leftovers and cuts isolated nodes off, both ways.
    sim.network.setDropRule((e) =>
      this.cut(e.from === undefined ? undefined : nodeOfId(e.from), nodeOfId(e.to)),
    );
  }

  /** Whether a message from `from` to `to` is lost to a crash or an isolation. */
  private cut(from: NodeId | undefined, to: NodeId): boolean {
    if (from !== undefined && this.deadNodes.has(from)) return true;
    if (this.cutNodes.size > 0 && (this.cutNodes.has(to) || (from !== undefined && this.cutNodes.has(from))))
      return true;
    for (const i of this.stalled) {
      if (to.startsWith(i.nodePrefix) || from?.startsWith(i.nodePrefix) === true) return true;
    }
    for (const b of this.isolatedBrokers) {
      const node = `broker-${b}`;
      if (from === node || to === node) return true;
    }
    return false;
  }

  private liveBrokers(): number[] {
    return this.cluster.brokerIds.filter((b) => !this.downBrokers.has(b));
  }

  private after(ms: number, action: () => void): void {
    const handle = this.sim.clock.setTimer(ms, () => {
      this.faultTimers.delete(handle);
      action();
    });
    this.faultTimers.add(handle);
  }

  /**
   * Applies a fault now (indexes pick among the instances or brokers alive now).
   *
   * @example
   * ```ts
   * faults.apply({ kind: 'killBroker', broker: 0, loseUnflushed: true, restartAfterMs: 2000 });
   * ```
   */
  apply(fault: Fault): void {
    const what = describeFault(fault);
    if ('instance' in fault) {
      const victim = pickLive(this.host.live(), fault.instance);
      if (victim === undefined) this.host.note(`${what}: skipped, no live instance`);
      else this.applyToInstance(fault, victim, what);
    } else if ('broker' in fault) {
      const victim = pickLive(this.liveBrokers(), fault.broker);
      if (victim === undefined) this.host.note(`${what}: skipped, no live broker`);
      else this.applyToBroker(fault, victim, what);
    } else if (fault.kind === 'addInstance') {
      this.host.note(`${what}: ${this.host.addInstance()}`);
    } else {
      this.host.note(what);
      const minDelayMs = Math.min(fault.minMs, fault.maxMs);
      this.sim.network.setFaults({ ...this.baseNetwork, minDelayMs, maxDelayMs: fault.maxMs });
      this.slowUntilMs = Math.max(this.slowUntilMs, this.sim.clock.nowMs() + fault.forMs);
      this.after(fault.forMs, () => {
        if (this.sim.clock.nowMs() < this.slowUntilMs) return;
        this.sim.network.setFaults(this.baseNetwork);
        this.host.note('messages at normal speed again');
      });
    }
  }

  private applyToInstance(
    fault: Extract<Fault, { instance: number }>,
    victim: SimulatedInstance,
    what: string,
  ): void {
    const { host } = this;
    this.stalled.delete(victim);
    switch (fault.kind) {
      case 'crashInstance':
        host.note(`${what} (${victim.id})`);
        victim.crash();
        if (fault.restartAfterMs !== undefined)
          this.after(fault.restartAfterMs, () => host.restartInstance(victim));
        return;
      case 'removeInstance':
        host.note(`${what} (${victim.id})`);
        host.track(victim.shutdown());
        return;
      case 'stallInstance':
        host.note(`${what} (${victim.id})`);
        this.stalled.add(victim);
        this.after(fault.forMs, () => {
          this.stalled.delete(victim);
          host.note(`instance ${victim.id} resumes`);
        });
        return;
      case 'zombieInstance': {
        const zombies = victim.replaceLeavingZombies();
        host.note(`${what} (${victim.id}: zombies ${zombies.join(', ')})`);
        for (const n of zombies) this.cutNodes.add(n);
        this.after(fault.forMs, () => {
          for (const n of zombies) this.cutNodes.delete(n);
          host.note(`the zombies of ${victim.id} resume`);
          this.after(ZOMBIE_LINGER_MS, () => {
            victim.killZombies();
            host.note(`the zombies of ${victim.id} are killed`);
          });
        });
        return;
      }
    }
  }

  private applyToBroker(fault: Extract<Fault, { broker: number }>, victim: number, what: string): void {
    this.host.note(`${what} (broker ${victim})`);
    if (fault.kind === 'killBroker') {
      this.cluster.killBroker(victim);
      this.downBrokers.add(victim);
      if (fault.loseUnflushed) this.disks.get(victim)?.crash(this.sim.random);
      if (fault.restartAfterMs !== undefined)
        this.after(fault.restartAfterMs, () => this.restartBroker(victim));
      return;
    }
    this.isolatedBrokers.add(victim);
    this.after(fault.forMs, () => {
      this.isolatedBrokers.delete(victim);
      this.host.note(`broker ${victim} reachable again`);
    });
  }

  private restartBroker(broker: number): void {
    if (!this.downBrokers.delete(broker)) return;
    this.host.note(`broker ${broker} restarts`);
    this.cluster.startBroker(broker);
  }

  /**
   * Ends every fault: pending restarts and recoveries are cancelled, the network heals (partitions
   * made directly on `sim.network` too), stalled instances resume and downed brokers restart.
   * Crashed instances are the caller's to restart.
   *
   * @example
   * ```ts
   * faults.heal();
   * ```
   */
  heal(): void {
    for (const t of this.faultTimers) t.cancel();
    this.faultTimers.clear();
    this.isolatedBrokers.clear();
    this.stalled.clear();
    this.cutNodes.clear();
    this.slowUntilMs = 0;
    this.sim.network.setFaults(this.baseNetwork);
    this.sim.network.heal();
    for (const b of [...this.downBrokers]) this.restartBroker(b);
  }
}

/** The `index`-th of the live ones, modulo how many there are (so a shrunk schedule stays valid). */
function pickLive<T>(list: readonly T[], index: number): T | undefined {
  return list.length === 0 ? undefined : list[index % list.length];
}
