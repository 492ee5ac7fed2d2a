/** Small machines for testing the actor kernel. */
import { assign, setup } from 'xstate';
import type { ActorId, ActorInput } from '../../../src/runtime/actor/index.js';

/** Sends `ping` to a peer every `everyMs` and counts the `pong`s that come back. */
export const pinger = setup({
  types: {
    input: {} as ActorInput<{ peer: ActorId; everyMs: number }>,
    context: {} as {
      actor: ActorInput['actor'];
      peer: ActorId;
      everyMs: number;
      sent: number;
      received: number;
    },
    events: {} as { type: 'pong'; seq: number },
  },
  delays: { interval: ({ context }) => context.everyMs },
}).createMachine({
  context: ({ input }) => ({
    actor: input.actor,
    peer: input.input.peer,
    everyMs: input.input.everyMs,
    sent: 0,
    received: 0,
  }),
  initial: 'running',
  states: {
    running: {
      after: {
        interval: {
          target: 'running',
          reenter: true,
          actions: [
            ({ context }) =>
              context.actor.send(context.peer, { type: 'ping', seq: context.sent, from: context.actor.id }),
            assign({ sent: ({ context }) => context.sent + 1 }),
          ],
        },
      },
      on: { pong: { actions: assign({ received: ({ context }) => context.received + 1 }) } },
    },
  },
});

/** Answers every `ping` with a `pong`; throws on `boom`; records the sequence numbers it saw. */
export const ponger = setup({
  types: {
    input: {} as ActorInput<unknown>,
    context: {} as { actor: ActorInput['actor']; seen: number[] },
    events: {} as { type: 'ping'; seq: number; from: ActorId } | { type: 'boom' },
  },
}).createMachine({
  context: ({ input }) => ({ actor: input.actor, seen: [] }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        ping: {
          actions: [
            ({ context, event }) => context.actor.send(event.from, { type: 'pong', seq: event.seq }),
            assign({ seen: ({ context, event }) => [...context.seen, event.seq] }),
          ],
        },
        boom: {
          actions: () => {
            throw new Error('boom');
          },
        },
      },
    },
  },
});

/** Collects every event it receives (supervision events included). */
export const collector = setup({
  types: {
    input: {} as ActorInput<unknown>,
    context: {} as { events: { type: string }[] },
    events: {} as { type: string },
  },
}).createMachine({
  context: () => ({ events: [] }),
  on: { '*': { actions: assign({ events: ({ context, event }) => [...context.events, event] }) } },
});

/**
 * A chatty node for determinism tests: on every tick it sends a message to a random peer, chosen
 * with the actor's seeded Random; it counts what it receives.
 */
export const gossip = setup({
  types: {
    input: {} as ActorInput<{ peers: ActorId[] }>,
    context: {} as { actor: ActorInput['actor']; peers: ActorId[]; received: number },
    events: {} as { type: 'rumour'; n: number },
  },
  delays: { tick: ({ context }) => context.actor.random.nextInt(1, 20) },
}).createMachine({
  context: ({ input }) => ({ actor: input.actor, peers: input.input.peers, received: 0 }),
  initial: 'talking',
  states: {
    talking: {
      after: {
        tick: {
          target: 'talking',
          reenter: true,
          actions: ({ context }) => {
            const peers = context.peers;
            const to = peers[context.actor.random.nextInt(0, peers.length - 1)]!;
            context.actor.send(to, { type: 'rumour', n: context.received });
          },
        },
      },
      on: { rumour: { actions: assign({ received: ({ context }) => context.received + 1 }) } },
    },
  },
});
