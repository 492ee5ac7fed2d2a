/**
 * The actor kernel: named re-exports only.
 */
export { type ActorEvent, type ActorId, type Envelope, type NodeId, nodeOfId } from './actor-event.js';
export {
  type ActorContext,
  type ActorInput,
  ActorSystem,
  type ActorSystemOptions,
  type SpawnSpec,
} from './actor-system.js';
export type { Clock, TimerHandle } from './clock.js';
export { type InspectionEvent, type Inspector, TraceRecorder } from './inspection.js';
export {
  type ConnectOptions,
  MessagePortTransport,
  type MessagePortTransportOptions,
  type PeerLink,
} from './message-port-transport.js';
export {
  type PayloadPath,
  type PreparedPayload,
  preparePayload,
  restoreBuffers,
  transferOwnership,
} from './port-payload.js';
export type { Random } from './random.js';
export { RealClock, realClock } from './real-clock.js';
export { RealRandom, realRandom } from './real-random.js';
export { RpcClient, type RpcRequest, type RpcResponse, reply, replyError } from './rpc.js';
export { SeededRandom } from './seeded-random.js';
export { SimulatedClock } from './simulated-clock.js';
export {
  type NetworkFaults,
  RELIABLE_NETWORK,
  resolveNetworkFaults,
  SimulatedNetwork,
} from './simulated-network.js';
export { Simulation, type SimulationOptions } from './simulation.js';
export {
  type ActorFailedEvent,
  type ActorGaveUpEvent,
  type ActorRestartedEvent,
  backoffDelayMs,
  DEFAULT_RESTART_STRATEGY,
  type RestartStrategy,
  resolveRestartStrategy,
  restartDecision,
  type SupervisionEvent,
} from './supervision.js';
export { LocalTransport, type Transport, type TransportEndpoint } from './transport.js';
export { toXStateClock, type XStateClock } from './xstate-clock.js';
