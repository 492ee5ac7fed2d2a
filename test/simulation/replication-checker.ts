/**
 * Invariants of replicated partitions, checked against the live replica objects of a simulated
 * cluster, and the end-of-run check of acknowledged writes (Jepsen's lost write and inconsistent
 * offsets). Every violation is a sentence naming the partition, offsets and brokers involved.
 */
import { replicaActorId } from '../../src/log/broker/cluster-metadata.js';
import type { PartitionReplica } from '../../src/log/broker/partition-replica.js';
import { decodeRecords } from '../../src/log/format/record-batch-decoder.js';
import type { Simulation } from '../../src/runtime/actor/index.js';

/** An acknowledged write. */
export interface Ack {
  partition: number;
  offset: number;
  value: string;
}

/** The replica object of a running replica actor, if any. */
export function replicaOf(
  sim: Simulation,
  broker: number,
  topic: string,
  partition: number,
): PartitionReplica | undefined {
  const ref = sim.system.get(replicaActorId(broker, topic, partition));
  const context = ref?.getSnapshot().context as { service?: { replica: PartitionReplica } } | undefined;
  return context?.service?.replica;
}

/** Reads offset → value for [from, to) of a replica's log. */
export function valuesOf(replica: PartitionReplica, from: number, to: number): Map<number, string> {
  const out = new Map<number, string>();
  let offset = Math.max(from, replica.log.logStartOffset);
  while (offset < to) {
    const read = replica.log.read(offset, 1 << 20, { maxOffset: to });
    if (read.records.length === 0) break;
    for (const r of decodeRecords(read.records)) {
      if (r.offset >= offset && r.offset < to) out.set(r.offset, Buffer.from(r.value!).toString());
    }
    offset = read.nextOffset;
  }
  return out;
}

/**
 * Watches a topic's replicas through a run: one leader per epoch, each replica's epoch and high
 * watermark never going back, and (on `checkReplicasAgree`) in-sync replicas identical below the
 * leader's high watermark.
 */
export class ReplicationChecker {
  readonly violations: string[] = [];
  private readonly leaders = new Map<string, number>();
  private readonly seen = new WeakMap<PartitionReplica, { epoch: number; hw: number }>();
  private readonly leaderValues = new Map<
    number,
    { replica: PartitionReplica; epoch: number; values: Map<number, string>; upTo: number }
  >();
  private readonly compared = new WeakMap<PartitionReplica, { epoch: number; upTo: number }>();

  constructor(
    private readonly sim: Simulation,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly brokers: readonly number[],
    private readonly checkHighWatermarks: boolean,
  ) {}

  /** The cheap checks, after every step. */
  checkStep(): void {
    for (let p = 0; p < this.partitions; p++) {
      for (const b of this.brokers) {
        const r = replicaOf(this.sim, b, this.topic, p);
        if (r === undefined) continue;
        if (r.role === 'leader') {
          const key = `${p}@${r.leaderEpoch}`;
          const other = this.leaders.get(key);
          if (other !== undefined && other !== b) {
            this.violate(`partition ${p} epoch ${r.leaderEpoch} has two leaders: brokers ${other} and ${b}`);
          }
          this.leaders.set(key, b);
        }
        const last = this.seen.get(r);
        if (last !== undefined) {
          if (r.leaderEpoch < last.epoch)
            this.violate(`broker ${b} partition ${p}: epoch went back ${last.epoch} → ${r.leaderEpoch}`);
          if (this.checkHighWatermarks && r.highWatermark < last.hw) {
            this.violate(
              `broker ${b} partition ${p}: high watermark went back ${last.hw} → ${r.highWatermark}`,
            );
          }
        }
        this.seen.set(r, { epoch: r.leaderEpoch, hw: r.highWatermark });
      }
    }
  }

  /**
   * Every live in-sync replica holds the leader's records below the leader's high watermark.
   * Incremental: records below a high watermark never change, so each replica is read only past
   * the offset it was last compared up to (for the same leader and epoch).
   */
  checkReplicasAgree(): void {
    for (let p = 0; p < this.partitions; p++) {
      const leaders = this.brokers
        .map((b) => ({ b, r: replicaOf(this.sim, b, this.topic, p) }))
        .filter((x): x is { b: number; r: PartitionReplica } => x.r?.role === 'leader');
      const leader = leaders.sort((x, y) => y.r.leaderEpoch - x.r.leaderEpoch)[0];
      if (leader === undefined) continue;
      const hw = leader.r.highWatermark;
      let seen = this.leaderValues.get(p);
      if (seen === undefined || seen.replica !== leader.r || seen.epoch !== leader.r.leaderEpoch) {
        seen = { replica: leader.r, epoch: leader.r.leaderEpoch, values: new Map(), upTo: 0 };
        this.leaderValues.set(p, seen);
      }
      if (hw > seen.upTo) {
        for (const [offset, value] of valuesOf(leader.r, seen.upTo, hw)) seen.values.set(offset, value);
        seen.upTo = hw;
      }
      for (const b of leader.r.isr) {
        if (b === leader.b) continue;
        const r = replicaOf(this.sim, b, this.topic, p);
        if (r === undefined || r.role !== 'follower' || r.leaderEpoch !== leader.r.leaderEpoch) continue;
        const upTo = Math.min(hw, r.logEndOffset);
        const from = this.compared.get(r)?.epoch === r.leaderEpoch ? this.compared.get(r)!.upTo : 0;
        if (upTo <= from) continue;
        for (const [offset, value] of valuesOf(r, from, upTo)) {
          if (seen.values.get(offset) !== value) {
            this.violate(
              `partition ${p} offset ${offset}: broker ${b} has ${value}, leader ${leader.b} has ${seen.values.get(offset)} (below HW ${hw})`,
            );
            break;
          }
        }
        this.compared.set(r, { epoch: r.leaderEpoch, upTo });
      }
    }
  }

  private violate(message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.sim.clock.monotonicMs()}ms: ${message}`);
  }
}

/**
 * Jepsen's checks at the end: every acknowledged write is in the log at its offset (no lost
 * write), and no offset was acknowledged with two values (no inconsistent offsets).
 */
export function checkAcknowledged(acks: readonly Ack[], final: Map<number, Map<number, string>>): string[] {
  const problems: string[] = [];
  const byOffset = new Map<string, string>();
  for (const a of acks) {
    const key = `${a.partition}@${a.offset}`;
    const other = byOffset.get(key);
    if (other !== undefined && other !== a.value)
      problems.push(`partition ${a.partition} offset ${a.offset} acknowledged as ${other} and ${a.value}`);
    byOffset.set(key, a.value);
    const stored = final.get(a.partition)?.get(a.offset);
    if (stored !== a.value) {
      problems.push(
        `lost write: partition ${a.partition} offset ${a.offset} acknowledged ${a.value}, finally ${stored ?? 'missing'}`,
      );
    }
  }
  return problems.slice(0, 20);
}
