/** A simulated embedded cluster for tests: one in-memory disk per broker, virtual time, seeded. */

export {
  createTopicAndSettle,
  FAST_BROKER_SETTINGS as FAST,
  settle,
  simulatedBrokers as simulatedCluster,
} from '../../../src/testing/simulation/simulated-brokers.js';
