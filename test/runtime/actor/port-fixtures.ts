/** Two actor systems in one thread joined by a MessageChannel, and a server actor to call. */
import { MessageChannel } from 'node:worker_threads';
import { fromCallback } from 'xstate';
import { NotLeaderOrFollowerError } from '../../../src/common/kafka-errors.js';
import {
  type ActorInput,
  ActorSystem,
  type InspectionEvent,
  MessagePortTransport,
  type PeerLink,
  type RpcRequest,
  realClock,
  realRandom,
  reply,
  replyError,
} from '../../../src/runtime/actor/index.js';

type ServerEvent = RpcRequest & { n?: number; bytes?: Uint8Array };

/**
 * Serves `double` (n × 2; NotLeaderOrFollower for odd n), `echo` (the bytes back, with what they
 * arrived as) and `hold` (never answered).
 */
export const server = fromCallback<ServerEvent, ActorInput>(({ receive, input }) => {
  const actor = input.actor;
  receive((event) => {
    if (event.type === 'double') {
      const n = event.n ?? 0;
      if (n % 2 === 1) replyError(actor, event, new NotLeaderOrFollowerError(`odd ${n}`));
      else reply(actor, event, n * 2);
    } else if (event.type === 'echo') {
      const bytes = event.bytes!;
      reply(actor, event, { bytes, isBuffer: Buffer.isBuffer(bytes), byteLength: bytes.byteLength });
    }
  });
});

/** A main system (`server` node) and a client system (`client` node) over one MessageChannel. */
export interface PortPair {
  readonly main: ActorSystem;
  readonly client: ActorSystem;
  readonly mainTransport: MessagePortTransport;
  readonly clientTransport: MessagePortTransport;
  readonly mainLink: PeerLink;
  readonly clientLink: PeerLink;
  readonly mainEvents: InspectionEvent[];
  readonly lossy: string[];
  close(): void;
}

export function portPair(): PortPair {
  const mainEvents: InspectionEvent[] = [];
  const lossy: string[] = [];
  const onLossyPayload = (_: unknown, path: readonly (string | number)[], className: string) =>
    lossy.push(`${path.join('.')}: ${className}`);
  const mainTransport = new MessagePortTransport({ onLossyPayload });
  const main = new ActorSystem({
    clock: realClock,
    random: realRandom,
    transport: mainTransport,
    inspect: (e) => mainEvents.push(e),
  });
  const clientTransport = new MessagePortTransport({ localNodes: ['client'], onLossyPayload });
  const client = new ActorSystem({ clock: realClock, random: realRandom, transport: clientTransport });
  const { port1, port2 } = new MessageChannel();
  const mainLink = mainTransport.connect(port1, { nodes: ['client'] });
  const clientLink = clientTransport.connect(port2, { upstream: true });
  return {
    main,
    client,
    mainTransport,
    clientTransport,
    mainLink,
    clientLink,
    mainEvents,
    lossy,
    close: () => {
      main.shutdown();
      client.shutdown();
      port1.close();
    },
  };
}
