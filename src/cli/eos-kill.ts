/**
 * The failure `millrace eos-demo` injects: the broker leading the most partitions of its topics is
 * killed (as kill -9 would: nothing flushed or closed), restarted a second later from its data
 * directory, and watched until it is back in the ISR of every partition.
 */
import type { EmbeddedCluster } from '../log/broker/embedded-cluster.js';
import type { EmbeddedLogClient } from '../log/client/embedded-log-client.js';
import type { Clock } from '../runtime/actor/clock.js';
import { retrying } from './retrying.js';

/**
 * What happened to the killed broker.
 *
 * @example
 * ```ts
 * const k: BrokerKill = { brokerId: 2, led: ['input-1'], coordinatorOf: [], atCopied: 150_000, downMs: 1001, backInIsrMs: 420 };
 * ```
 */
export interface BrokerKill {
  brokerId: number;
  /** The partitions it led when killed, as `topic-partition`. */
  led: string[];
  /** Which coordinators it was: of the copier's group, of its transactional id. */
  coordinatorOf: string[];
  /** Records the copier had committed when the broker was killed. */
  atCopied: number;
  downMs: number;
  /** From the restart until it was in every partition's ISR; undefined if not within 30 s. */
  backInIsrMs: number | undefined;
}

/** What the demo's cluster holds. */
const TOPICS = ['input', 'output'];
const GROUP_ID = 'eos-demo-copier';
const TRANSACTIONAL_ID = 'eos-demo-copier-1';
const DOWN_MS = 1000;
const ISR_WAIT_MS = 30_000;

/**
 * Kills the broker leading the most partitions of input and output, restarts it a second later,
 * and resolves once it is back in every ISR (or after 30 s).
 *
 * @example
 * ```ts
 * const kill = await killAndRestart(cluster, client, realClock, 150_000);
 * ```
 * @throws the client's error when the controller does not answer for metadata.
 */
export async function killAndRestart(
  cluster: EmbeddedCluster,
  client: EmbeddedLogClient,
  clock: Clock,
  atCopied: number,
): Promise<BrokerKill> {
  const md = await retrying(clock, () => client.metadata(TOPICS));
  const led = new Map<number, string[]>();
  for (const topic of md.topics) {
    for (const p of topic.partitions) {
      if (p.leader >= 0) led.set(p.leader, [...(led.get(p.leader) ?? []), `${topic.name}-${p.partition}`]);
    }
  }
  let brokerId = cluster.brokerIds[0]!;
  for (const id of cluster.brokerIds) {
    if ((led.get(id)?.length ?? 0) > (led.get(brokerId)?.length ?? 0)) brokerId = id;
  }
  const coordinatorOf: string[] = [];
  if ((await client.findCoordinator(GROUP_ID).catch(() => -1)) === brokerId) {
    coordinatorOf.push("the copier group's coordinator");
  }
  if ((await client.findTransactionCoordinator(TRANSACTIONAL_ID).catch(() => -1)) === brokerId) {
    coordinatorOf.push("the copier's transaction coordinator");
  }

  cluster.killBroker(brokerId);
  const killedAt = clock.monotonicMs();
  await sleep(clock, DOWN_MS);
  cluster.startBroker(brokerId);
  const restartedAt = clock.monotonicMs();
  let backInIsrMs: number | undefined;
  while (clock.monotonicMs() - restartedAt < ISR_WAIT_MS) {
    const now = await client.metadata(TOPICS).catch(() => undefined);
    const inEvery = now?.topics.every((t) => t.partitions.every((p) => p.isr.includes(brokerId))) ?? false;
    if (inEvery) {
      backInIsrMs = clock.monotonicMs() - restartedAt;
      break;
    }
    await sleep(clock, 100);
  }
  return {
    brokerId,
    led: led.get(brokerId) ?? [],
    coordinatorOf,
    atCopied,
    downMs: restartedAt - killedAt,
    backInIsrMs,
  };
}

function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise<void>((resolve) => clock.setTimer(delayMs, resolve));
}
