/**
 * The configuration of the group coordinator, with Kafka's broker settings of the same meaning
 * and Kafka's defaults. Defaults live here and nowhere else.
 */
import { intInRange, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';

/**
 * Configuration of a GroupCoordinator host and the groups it runs.
 *
 * @example
 * ```ts
 * const config: GroupCoordinatorConfig = resolveGroupCoordinatorConfig({ offsetsTopicPartitions: 1 });
 * ```
 */
export interface GroupCoordinatorConfig {
  /** Partitions of `__consumer_offsets` (Kafka `offsets.topic.num.partitions`). */
  offsetsTopicPartitions: number;
  /** The shortest session timeout a member may ask for (Kafka `group.min.session.timeout.ms`). */
  groupMinSessionTimeoutMs: number;
  /** The longest session timeout a member may ask for (Kafka `group.max.session.timeout.ms`). */
  groupMaxSessionTimeoutMs: number;
  /**
   * How long the first rebalance of an empty group waits for more members before it completes,
   * extended by as much again (up to the rebalance timeout) while new members keep arriving
   * (Kafka `group.initial.rebalance.delay.ms`).
   */
  groupInitialRebalanceDelayMs: number;
  /** The most members a group may have (Kafka `group.max.size`). */
  groupMaxSize: number;
  /** The longest metadata string an offset commit may carry (Kafka `offset.metadata.max.bytes`). */
  offsetMetadataMaxBytes: number;
}

/**
 * The defaults of every GroupCoordinatorConfig key: Kafka's.
 *
 * @example
 * ```ts
 * const delayMs = DEFAULT_GROUP_COORDINATOR_CONFIG.groupInitialRebalanceDelayMs; // 3000
 * ```
 */
export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  offsetsTopicPartitions: 50,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2 ** 31 - 1,
  offsetMetadataMaxBytes: 4096,
});

const MAX_INT32 = 2 ** 31 - 1;

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveGroupCoordinatorConfig({ offsetsTopicPartitions: 1, groupInitialRebalanceDelayMs: 0 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveGroupCoordinatorConfig(
  input: Partial<GroupCoordinatorConfig> = {},
): GroupCoordinatorConfig {
  rejectUnknownKeys('GroupCoordinatorConfig', input, Object.keys(DEFAULT_GROUP_COORDINATOR_CONFIG));
  const c = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...input };
  const config: GroupCoordinatorConfig = {
    offsetsTopicPartitions: intInRange('offsetsTopicPartitions', c.offsetsTopicPartitions, 1, 100_000),
    groupMinSessionTimeoutMs: intInRange(
      'groupMinSessionTimeoutMs',
      c.groupMinSessionTimeoutMs,
      1,
      MAX_INT32,
    ),
    groupMaxSessionTimeoutMs: intInRange(
      'groupMaxSessionTimeoutMs',
      c.groupMaxSessionTimeoutMs,
      1,
      MAX_INT32,
    ),
    groupInitialRebalanceDelayMs: intInRange(
      'groupInitialRebalanceDelayMs',
      c.groupInitialRebalanceDelayMs,
      0,
      MAX_INT32,
    ),
    groupMaxSize: intInRange('groupMaxSize', c.groupMaxSize, 1, MAX_INT32),
    // A Kafka STRING holds at most 32767 bytes.
    offsetMetadataMaxBytes: intInRange('offsetMetadataMaxBytes', c.offsetMetadataMaxBytes, 0, 0x7fff),
  };
  if (config.groupMaxSessionTimeoutMs < config.groupMinSessionTimeoutMs) {
    throw new ConfigError(
      'groupMaxSessionTimeoutMs',
      config.groupMaxSessionTimeoutMs,
      `at least groupMinSessionTimeoutMs (${config.groupMinSessionTimeoutMs})`,
    );
  }
  return config;
}
