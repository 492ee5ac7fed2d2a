/**
 * What the embedded-cluster benchmarks share: a topic whose partitions all answer before the
 * clock starts, so no run measures leader election.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import type { Clock } from '../src/runtime/actor/clock.js';

/** Creates the topic and waits until every partition's leader answers ListOffsets. */
export async function createTopicAndWaitForLeaders(
  client: EmbeddedLogClient,
  clock: Clock,
  topic: {
    name: string;
    partitions: number;
    replicationFactor: number;
    config?: { minInsyncReplicas: number };
  },
): Promise<void> {
  await client.createTopic(topic);
  for (let p = 0; p < topic.partitions; p++) {
    for (;;) {
      try {
        await client.listOffset(topic.name, p, -1);
        break;
      } catch {
        await new Promise<void>((resolve) => clock.setTimer(10, resolve));
      }
    }
  }
}

/**
 * Runs this benchmark module again as `child <args…>` in a fresh Node process and parses the JSON
 * of its last output line: each configuration gets its own heap, timers and cluster (a second run
 * in one process measured up to 40 % slower).
 */
export function runChild<T>(moduleUrl: string, args: readonly string[]): T {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(moduleUrl), 'child', ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}
