/**
 * The streams assignor's settings, with Kafka Streams' names (camelCase) and defaults (KIP-441),
 * validated in one place.
 */
import { intInRange, oneOf, rejectUnknownKeys } from '../../../common/config.js';
import type { RebalanceProtocol } from '../../../log/client/assignors/partition-assignor.js';

/**
 * How the streams assignor places tasks.
 *
 * @example
 * ```ts
 * const config: StreamsAssignorConfig = { ...DEFAULT_STREAMS_ASSIGNOR_CONFIG, numStandbyReplicas: 1 };
 * ```
 */
export interface StreamsAssignorConfig {
  /** Standby replicas per stateful task (num.standby.replicas). */
  numStandbyReplicas: number;
  /** Records a client may be behind and still count as caught up (acceptable.recovery.lag). */
  acceptableRecoveryLag: number;
  /** Warmup replicas allowed at once across the group (max.warmup.replicas). */
  maxWarmupReplicas: number;
  /** How long after a rebalance with warmups the group rebalances again to check (probing.rebalance.interval.ms). */
  probingRebalanceIntervalMs: number;
  /** Per-thread load two clients may differ by and count as balanced (whole tasks; at least 1). */
  balanceFactor: number;
  /**
   * COOPERATIVE (Kafka Streams' default): an active task that moves from one member to another is
   * withheld from its new member until the old one has revoked it and rejoined, so no two
   * members ever process it at once. EAGER: members revoke everything before each rebalance.
   */
  rebalanceProtocol: RebalanceProtocol;
}

/**
 * The defaults (Kafka Streams').
 *
 * @example
 * ```ts
 * DEFAULT_STREAMS_ASSIGNOR_CONFIG.acceptableRecoveryLag; // 10_000
 * ```
 */
export const DEFAULT_STREAMS_ASSIGNOR_CONFIG: Readonly<StreamsAssignorConfig> = Object.freeze({
  numStandbyReplicas: 0,
  acceptableRecoveryLag: 10_000,
  maxWarmupReplicas: 2,
  probingRebalanceIntervalMs: 10 * 60 * 1000,
  balanceFactor: 1,
  rebalanceProtocol: 'COOPERATIVE',
});

/**
 * Fills in and validates a streams assignor config.
 *
 * @example
 * ```ts
 * const config = resolveStreamsAssignorConfig({ numStandbyReplicas: 1 });
 * ```
 * @throws ConfigError naming the bad key.
 */
export function resolveStreamsAssignorConfig(
  input: Partial<StreamsAssignorConfig> = {},
): StreamsAssignorConfig {
  rejectUnknownKeys('StreamsAssignorConfig', input, Object.keys(DEFAULT_STREAMS_ASSIGNOR_CONFIG));
  const c = { ...DEFAULT_STREAMS_ASSIGNOR_CONFIG, ...input };
  const max = Number.MAX_SAFE_INTEGER;
  return {
    numStandbyReplicas: intInRange('numStandbyReplicas', c.numStandbyReplicas, 0, 1000),
    acceptableRecoveryLag: intInRange('acceptableRecoveryLag', c.acceptableRecoveryLag, 0, max),
    // At least one: with none, a task could never move to a client that lacks its state.
    maxWarmupReplicas: intInRange('maxWarmupReplicas', c.maxWarmupReplicas, 1, max),
    probingRebalanceIntervalMs: intInRange(
      'probingRebalanceIntervalMs',
      c.probingRebalanceIntervalMs,
      1,
      max,
    ),
    // Below one, balance with whole tasks is not always reachable and the balancing loop would not end.
    balanceFactor: intInRange('balanceFactor', c.balanceFactor, 1, max),
    rebalanceProtocol: oneOf('rebalanceProtocol', c.rebalanceProtocol, ['COOPERATIVE', 'EAGER'] as const),
  };
}
