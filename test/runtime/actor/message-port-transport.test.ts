import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderOrFollowerError, RequestTimedOutError } from '../../../src/common/kafka-errors.js';
import {
  ActorSystem,
  MessagePortTransport,
  RpcClient,
  realClock,
  realRandom,
  transferOwnership,
} from '../../../src/runtime/actor/index.js';
import { type PortPair, portPair, server } from './port-fixtures.js';

let pair: PortPair | undefined;
afterEach(() => {
  pair?.close();
  pair = undefined;
});

function setUp(): PortPair {
  pair = portPair();
  pair.main.spawn({ id: 'server/echo', logic: server });
  return pair;
}

interface Echoed {
  bytes: Uint8Array;
  isBuffer: boolean;
  byteLength: number;
}

describe('MessagePortTransport', () => {
  it('carries a request to an actor in the other system and its response back', async () => {
    const { client } = setUp();
    const rpc = new RpcClient(client, 'client');
    await expect(rpc.call('server/echo', { type: 'double', n: 21 * 2 }, 5000)).resolves.toBe(84);
  });

  it('turns an error reply into the typed error on the caller side', async () => {
    const { client } = setUp();
    const rpc = new RpcClient(client, 'client');
    const err = await rpc.call('server/echo', { type: 'double', n: 7 }, 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderOrFollowerError);
    expect((err as NotLeaderOrFollowerError).retriable).toBe(true);
    expect((err as Error).message).toContain('odd 7');
  });

  it('sends everything sent to one peer in one turn as one message', async () => {
    const { client, clientLink } = setUp();
    expect(clientLink.nodes.size).toBe(0);
    const rpc = new RpcClient(client, 'client');
    const calls = [0, 2, 4, 6, 8].map((n) => rpc.call('server/echo', { type: 'double', n }, 5000));
    const port = (pair as unknown as { clientTransport: { upstream: { port: MessageChannel['port1'] } } })
      .clientTransport.upstream.port;
    let posts = 0;
    const original = port.postMessage.bind(port);
    port.postMessage = (...args: Parameters<typeof original>) => {
      posts++;
      original(...args);
    };
    // The calls above queued their requests in this turn; they leave in one postMessage.
    await expect(Promise.all(calls)).resolves.toEqual([0, 4, 8, 12, 16]);
    expect(posts).toBe(1);
  });

  it('delivers the bytes of a view into a larger buffer intact, without detaching the buffer', async () => {
    const { client } = setUp();
    const rpc = new RpcClient(client, 'client');
    const pool = new ArrayBuffer(4096);
    new Uint8Array(pool).fill(7);
    const view = Buffer.from(pool, 1000, 300);
    for (let i = 0; i < view.length; i++) view[i] = i & 0xff;
    const echoed = await rpc.call<Echoed>('server/echo', { type: 'echo', bytes: view }, 5000);
    expect(pool.byteLength).toBe(4096);
    expect(view[299]).toBe(299 & 0xff);
    // Only the 300 viewed bytes crossed, and they arrived as a Buffer, as they were sent.
    expect(echoed.isBuffer).toBe(true);
    expect(echoed.byteLength).toBe(300);
    expect(Buffer.isBuffer(echoed.bytes)).toBe(true);
    expect(Buffer.compare(echoed.bytes as Buffer, view)).toBe(0);
  });

  it('copies a whole buffer the sender keeps, and moves one it handed over', async () => {
    const { client } = setUp();
    const rpc = new RpcClient(client, 'client');
    const kept = new Uint8Array([1, 2, 3, 4]);
    const echoedKept = await rpc.call<Echoed>('server/echo', { type: 'echo', bytes: kept }, 5000);
    expect(kept.byteLength).toBe(4);
    expect(echoedKept.isBuffer).toBe(false);
    expect([...echoedKept.bytes]).toEqual([1, 2, 3, 4]);
    const given = transferOwnership(new Uint8Array([9, 8, 7]));
    const echoedGiven = await rpc.call<Echoed>('server/echo', { type: 'echo', bytes: given }, 5000);
    expect(given.byteLength).toBe(0);
    expect([...echoedGiven.bytes]).toEqual([9, 8, 7]);
  });

  it('reports a class instance in an event, which would arrive without its prototype', async () => {
    const { client, lossy } = setUp();
    class Money {
      constructor(readonly cents: number) {}
    }
    client.send(undefined, 'server/echo', { type: 'ignored', amount: new Money(5) });
    expect(lossy).toEqual(['amount: Money']);
  });

  it('drops the routes of a peer whose port closed; calls to it and from it go unanswered', async () => {
    const { main, client, mainTransport, mainLink, mainEvents } = setUp();
    expect(mainTransport.routedNodes()).toEqual(['client']);
    const fromClient = new RpcClient(client, 'client');
    const mainRpc = new RpcClient(main, 'server', 'rpc');
    client.spawn({ id: 'client/echo', logic: server });
    await expect(mainRpc.call('client/echo', { type: 'double', n: 2 }, 5000)).resolves.toBe(4);
    mainLink.close();
    await mainLink.closed;
    expect(mainTransport.routedNodes()).toEqual([]);
    const toDead = await mainRpc.call('client/echo', { type: 'double', n: 2 }, 50).catch((e: unknown) => e);
    expect(toDead).toBeInstanceOf(RequestTimedOutError);
    expect(mainEvents).toContainEqual(expect.objectContaining({ kind: 'dead-letter', to: 'client/echo' }));
    const fromDead = await fromClient.call('server/echo', { type: 'double', n: 2 }, 50).catch((e) => e);
    expect(fromDead).toBeInstanceOf(RequestTimedOutError);
  });

  it('forwards between two peers of the main thread, given their nodes or told them by announcement', async () => {
    const mainTransport = new MessagePortTransport();
    const main = new ActorSystem({ clock: realClock, random: realRandom, transport: mainTransport });
    const workers = ['w1', 'w2'].map((node) => {
      const transport = new MessagePortTransport({ localNodes: [node] });
      const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
      const { port1, port2 } = new MessageChannel();
      // w1's nodes come from its announcement, which precedes its requests on the same port; w2's
      // must be known up front, as messages on different ports are not ordered with each other.
      const link = mainTransport.connect(port1, node === 'w2' ? { nodes: [node] } : {});
      transport.connect(port2, { upstream: true });
      return { system, link };
    });
    try {
      workers[1]!.system.spawn({ id: 'w2/echo', logic: server });
      const rpc = new RpcClient(workers[0]!.system, 'w1');
      await expect(rpc.call('w2/echo', { type: 'double', n: 10 }, 5000)).resolves.toBe(20);
      expect(mainTransport.routedNodes()).toEqual(['w1', 'w2']);
    } finally {
      for (const w of workers) {
        w.system.shutdown();
        w.link.close();
      }
      main.shutdown();
    }
  });
});
