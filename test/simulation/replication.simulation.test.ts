import { describe, expect, it } from 'vitest';
import { runReplicationScenario } from './replication-scenario.js';

/** Seeds per CI run; `SEEDS=2000 npx vitest run test/simulation` runs more. */
const SEEDS = Number(process.env.SEEDS ?? 200);
/** Replays one seed: `SEED=1234 npx vitest run test/simulation`. */
const ONLY = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

describe('replication under crashes, restarts and partitions (simulation)', () => {
  it('loses no acknowledged write and keeps one leader per epoch, monotonic high watermarks and agreeing replicas', async () => {
    const seeds = ONLY !== undefined ? [ONLY] : Array.from({ length: SEEDS }, (_, i) => i + 1);
    let acked = 0;
    for (const seed of seeds) {
      const result = await runReplicationScenario({ seed, unsafe: false, faultPhases: 8 });
      acked += result.acked;
      if (result.violations.length > 0) {
        throw new Error(
          `seed ${seed} (replay: SEED=${seed} npx vitest run test/simulation/replication.simulation.test.ts)\n` +
            `faults: ${result.faults.join('; ')}\n${result.violations.join('\n')}`,
        );
      }
    }
    expect(acked).toBeGreaterThan(seeds.length * 10);
  }, 600_000);

  it('finds the loss when min ISR is 1 and unclean election is on (negative control)', async () => {
    let caught: string | undefined;
    for (let seed = 1; seed <= 200 && caught === undefined; seed++) {
      const result = await runReplicationScenario({ seed, unsafe: true, faultPhases: 8 });
      if (result.violations.some((v) => v.startsWith('lost write')))
        caught = `seed ${seed}: ${result.violations[0]}`;
    }
    expect(caught).toBeDefined();
  }, 600_000);
});
