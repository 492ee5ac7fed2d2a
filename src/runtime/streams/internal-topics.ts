/**
 * The topics a streams application creates for itself: repartition topics `<app>-<name>` with as
 * many partitions as the sub-topology writing them (unless `repartition({ partitions })` fixed it),
 * and changelog topics `<app>-<store>-changelog` with as many partitions as the sub-topology owning
 * the store, compacted (window and session stores also deleting after their retention). Partition
 * counts flow through repartition topics, so they are resolved to a fixed point.
 */
import { TopologyError } from '../../common/errors.js';
import type { Topology } from '../../dsl/topology.js';
import type { CreateTopicRequest } from '../../log/broker/controller-state.js';
import type { Admin } from '../../log/client/admin.js';
import {
  type ChangelogStoreKind,
  changelogTopicConfig,
  changelogTopicName,
} from '../../state-stores/changelog/changelog-topic.js';
import { storesOfSubTopology } from './active-task.js';

/**
 * The partition count of every non-global sub-topology and every internal topic.
 *
 * @example
 * ```ts
 * const plan = planInternalTopics(topology, 'wordcount', new Map([['text', 3]]), 1);
 * plan.topics; // [{ name: 'wordcount-…-repartition', partitions: 3, … }, …]
 * ```
 */
export interface InternalTopicPlan {
  readonly subTopologyPartitions: ReadonlyMap<number, number>;
  readonly topics: readonly CreateTopicRequest[];
}

/**
 * Plans the internal topics of `topology` for `applicationId`, given the partition counts of its
 * user source topics.
 *
 * @example
 * ```ts
 * const { topics } = planInternalTopics(topology, 'app', await sourcePartitionCounts(), 3);
 * ```
 * @throws TopologyError when a source topic's count is unknown (it does not exist) or when
 * co-partitioned sources of one sub-topology differ.
 */
export function planInternalTopics(
  topology: Topology,
  applicationId: string,
  sourcePartitions: ReadonlyMap<string, number>,
  replicationFactor: number,
): InternalTopicPlan {
  const internal = new Map(topology.internalTopics.map((t) => [t.name, t]));
  const counts = new Map<string, number>();
  for (const [topic, n] of sourcePartitions) counts.set(topic, n);
  for (const t of internal.values()) if (t.partitions !== undefined) counts.set(t.name, t.partitions);
  const subs = topology.subTopologies.filter((s) => !s.global);
  const writers = writersOfInternalTopics(topology);
  const subCounts = new Map<number, number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const sub of subs) {
      const known = sub.sourceTopics.map((t) => counts.get(t)).filter((n): n is number => n !== undefined);
      if (known.length === 0) continue;
      const n = Math.max(...known);
      subCounts.set(sub.id, n);
      // A repartition topic read next to known topics takes their count: co-partitioned by construction.
      for (const t of sub.sourceTopics) {
        if (!counts.has(t)) {
          counts.set(t, n);
          changed = true;
        }
      }
      for (const [topic, writer] of writers) {
        if (writer === sub.id && !counts.has(topic)) {
          counts.set(topic, n);
          changed = true;
        }
      }
    }
  }
  for (const sub of subs) {
    const missing = sub.sourceTopics.filter((t) => !counts.has(t));
    if (missing.length > 0) {
      throw new TopologyError(
        `Sub-topology ${sub.id} reads ${missing.map((t) => `'${t}'`).join(', ')}, whose partition count is unknown: create the source topics before starting the application.`,
      );
    }
    const distinct = new Set(sub.sourceTopics.map((t) => counts.get(t)!));
    if (distinct.size > 1) {
      const detail = sub.sourceTopics.map((t) => `${t}: ${counts.get(t)}`).join(', ');
      throw new TopologyError(
        `Sub-topology ${sub.id} reads topics with different partition counts (${detail}); they must be co-partitioned. Repartition one side with repartition({ partitions }) or recreate the topics.`,
      );
    }
  }
  const topics: CreateTopicRequest[] = [];
  for (const t of internal.values()) {
    topics.push({ name: `${applicationId}-${t.name}`, partitions: counts.get(t.name)!, replicationFactor });
  }
  for (const sub of subs) {
    for (const storeName of storesOfSubTopology(topology, sub.id)) {
      const def = topology.stores.get(storeName)!;
      if (!def.changelog || def.global === true) continue;
      const kind: ChangelogStoreKind = def.kind === 'key-value' ? 'keyValue' : def.kind;
      topics.push({
        name: changelogTopicName(applicationId, storeName),
        partitions: subCounts.get(sub.id)!,
        replicationFactor,
        config: changelogTopicConfig(kind, def.retentionMs),
      });
    }
  }
  return { subTopologyPartitions: subCounts, topics };
}

/** The sub-topology whose sink writes each internal topic. */
function writersOfInternalTopics(topology: Topology): Map<string, number> {
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  const out = new Map<string, number>();
  for (const sub of topology.subTopologies) {
    for (const n of sub.nodes) {
      const node = topology.nodes.get(n);
      if (node?.type === 'sink' && typeof node.topic === 'string' && internal.has(node.topic))
        out.set(node.topic, sub.id);
    }
  }
  return out;
}

/**
 * Checks the application's source topics exist, then creates its internal topics or checks the
 * existing ones have the partition counts the topology needs (Kafka Streams refuses to start
 * otherwise: a changelog with other partitions would map state to the wrong tasks).
 *
 * @example
 * ```ts
 * await ensureInternalTopics(new Admin(client), topology, 'clickstream', 3);
 * ```
 * @throws TopologyError naming a missing source topic or an internal topic with a wrong count.
 */
export async function ensureInternalTopics(
  admin: Admin,
  topology: Topology,
  applicationId: string,
  replicationFactor: number,
): Promise<void> {
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  const sources = topology.subTopologies.flatMap((s) => s.sourceTopics).filter((t) => !internal.has(t));
  const counts = new Map((await admin.describeTopics(sources)).map((t) => [t.name, t.partitions.length]));
  const missing = sources.filter((t) => !counts.has(t));
  if (missing.length > 0) {
    throw new TopologyError(
      `Source topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist; create them before starting application '${applicationId}'.`,
    );
  }
  const plan = planInternalTopics(topology, applicationId, counts, replicationFactor);
  const existing = new Map(
    (await admin.describeTopics(plan.topics.map((t) => t.name))).map((t) => [t.name, t.partitions.length]),
  );
  for (const t of plan.topics) {
    const have = existing.get(t.name);
    if (have === undefined) await admin.createTopics([t]);
    else if (have !== t.partitions) {
      throw new TopologyError(
        `Internal topic '${t.name}' has ${have} partitions, but the topology needs ${t.partitions}; delete it (and the application's state with cleanUp()) or fix the source topics.`,
      );
    }
  }
}
