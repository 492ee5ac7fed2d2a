/**
 * BrokerSettings.groupInitialRebalanceDelayMs reaches each broker's group coordinator: the first
 * generation of an empty group completes that long after its first member joined (virtual time,
 * a network without delay). The delay's semantics are tested with the coordinator itself
 * (test/log/coordinator/group-initial-delay.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { DEFAULT_BROKER_SETTINGS, resolveBrokerSettings } from '../../../src/log/broker/broker-settings.js';
import { EmbeddedCluster } from '../../../src/log/broker/embedded-cluster.js';
import { encodeSubscription } from '../../../src/log/client/assignors/consumer-protocol.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import type { JoinGroupResult } from '../../../src/log/coordinator/membership-requests.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { Simulation } from '../../../src/runtime/actor/index.js';

const metadata = encodeSubscription({
  topics: ['t'],
  userData: null,
  ownedPartitions: [],
  generationId: -1,
  rackId: null,
});

/** Virtual ms from a new member's join (past the member-id step) to its first generation. */
async function firstJoinMs(settings: { groupInitialRebalanceDelayMs?: number }): Promise<number> {
  const sim = new Simulation({ seed: 5, network: { minDelayMs: 0, maxDelayMs: 0 } });
  const fs = new MemoryStorageFs();
  EmbeddedCluster.start({
    brokers: 1,
    dataDir: '/data',
    system: sim.system,
    fsOf: () => fs,
    controllerFs: new MemoryStorageFs(),
    settings: { offsetsTopicPartitions: 1, ...settings },
  });
  const client = new EmbeddedLogClient(sim.system, { node: 'client', requestTimeoutMs: 1000 });
  const join = (memberId: string) =>
    client.brokerCall<JoinGroupResult>(
      1,
      {
        type: 'group.join',
        groupId: 'g',
        memberId,
        groupInstanceId: null,
        clientId: 'c',
        clientHost: '/c',
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 60_000,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata }],
      },
      120_000,
    );
  let result: { at: number; value: JoinGroupResult } | undefined;
  void (async () => {
    for (;;) {
      // The broker registers, and `__consumer_offsets` is created (on the first FindCoordinator)
      // and loaded first: ask until the coordinator answers.
      const first = await client
        .findCoordinator('g')
        .then(() => join(''))
        .catch(() => undefined);
      if (first === undefined) {
        await new Promise<void>((resolve) => sim.clock.setTimer(50, resolve));
        continue;
      }
      const start = sim.clock.nowMs();
      const value = await join(first.memberId);
      result = { at: sim.clock.nowMs() - start, value };
      return;
    }
  })();
  await sim.runUntil(() => result !== undefined, 60_000);
  expect(result?.value).toMatchObject({ outcome: 'joined', generationId: 1 });
  return result!.at;
}

describe('BrokerSettings.groupInitialRebalanceDelayMs', () => {
  it('is the group coordinator’s initial rebalance delay', async () => {
    expect(await firstJoinMs({ groupInitialRebalanceDelayMs: 1234 })).toBe(1234);
    expect(await firstJoinMs({ groupInitialRebalanceDelayMs: 0 })).toBe(0);
    expect(await firstJoinMs({})).toBe(DEFAULT_BROKER_SETTINGS.groupInitialRebalanceDelayMs);
  });

  it('defaults to a short delay and refuses a negative one', () => {
    expect(resolveBrokerSettings().groupInitialRebalanceDelayMs).toBe(300);
    expect(() => resolveBrokerSettings({ groupInitialRebalanceDelayMs: -1 })).toThrow(ConfigError);
    expect(() => resolveBrokerSettings({ groupInitialRebalanceDelayMs: 0.5 })).toThrow(ConfigError);
  });
});
