import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { NotLeaderOrFollowerError, RequestTimedOutError } from '../../../src/common/kafka-errors.js';
import {
  type ActorInput,
  RpcClient,
  type RpcRequest,
  reply,
  replyError,
  Simulation,
} from '../../../src/runtime/actor/index.js';

/** Doubles `n`; refuses odd numbers with NotLeaderOrFollower. */
const doubler = setup({
  types: {
    input: {} as ActorInput<unknown>,
    context: {} as { actor: ActorInput['actor'] },
    events: {} as RpcRequest & { type: 'double'; n: number },
  },
}).createMachine({
  context: ({ input }) => ({ actor: input.actor }),
  on: {
    double: {
      actions: ({ context, event }) => {
        if (event.n % 2 === 1)
          replyError(context.actor, event, new NotLeaderOrFollowerError(`odd ${event.n}`));
        else reply(context.actor, event, event.n * 2);
      },
    },
  },
});

describe('RpcClient', () => {
  it('resolves with the reply, and rejects with the typed error the actor sent', async () => {
    const sim = new Simulation({ seed: 9, network: { duplicateRate: 0.5 } });
    sim.system.spawn({ id: 'server/doubler', logic: doubler });
    const rpc = new RpcClient(sim.system, 'client');
    const results: unknown[] = [];
    rpc.call('server/doubler', { type: 'double', n: 21 }, 1000).then(
      (v) => results.push(v),
      (e: unknown) => results.push(e),
    );
    rpc.call('server/doubler', { type: 'double', n: 4 }, 1000).then((v) => results.push(v));
    await sim.runFor(100);
    expect(results).toHaveLength(2);
    expect(results).toContain(8);
    const err = results.find((r) => r instanceof Error) as NotLeaderOrFollowerError;
    expect(err).toBeInstanceOf(NotLeaderOrFollowerError);
    expect(err.retriable).toBe(true);
    expect(err.message).toContain('odd 21');
  });

  it('times out on the virtual clock when a partition swallows the request', async () => {
    const sim = new Simulation({ seed: 9 });
    sim.system.spawn({ id: 'server/doubler', logic: doubler });
    const rpc = new RpcClient(sim.system, 'client');
    sim.network.partition(['client'], ['server']);
    let outcome: unknown;
    const started = sim.clock.nowMs();
    rpc.call('server/doubler', { type: 'double', n: 2 }, 500).catch((e: unknown) => {
      outcome = [e, sim.clock.nowMs() - started];
    });
    await sim.runFor(1000);
    expect(outcome).toEqual([expect.any(RequestTimedOutError), 500]);
  });
});
