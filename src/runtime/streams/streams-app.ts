/**
 * StreamsApp: a running streams application (Kafka Streams' KafkaStreams). `start()` validates the
 * topology against the cluster (source topics exist, co-partitioned topics agree), creates or
 * checks the internal topics, claims the state directory and starts the stream threads; `close()`
 * commits, closes the tasks and leaves the group; `cleanUp()` removes local state.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, IllegalStateError } from '../../common/errors.js';
import type { Topology } from '../../dsl/topology.js';
import { Admin } from '../../log/client/admin.js';
import { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import { claimStateDirectory } from '../../state-stores/state-directory.js';
import type { ActorSystem } from '../actor/actor-system.js';
import type { Clock } from '../actor/clock.js';
import type { MessagePortTransport } from '../actor/message-port-transport.js';
import type { Random } from '../actor/random.js';
import { moduleUrl } from '../workers/worker-launch.js';
import { startWorkerStreamThread } from '../workers/worker-stream-thread.js';
import { loadAppDefinition } from './define-app.js';
import { ensureInternalTopics } from './internal-topics.js';
import type { StandbyUpdateListener } from './standby-events.js';
import { StreamThread } from './stream-thread.js';
import type { StreamThreadSettings } from './stream-thread-types.js';
import { type StreamsAppState, stateFromThreads } from './streams-app-state.js';
import { resolveStreamsConfig, type StreamsConfig, taskPolicy } from './streams-config.js';
import type { ThreadHandle } from './thread-handle.js';

/**
 * What an application runs and where.
 *
 * @example
 * ```ts
 * const app = createStreamsApp({ applicationId: 'wordcount', stateDir: './state', topology, cluster, clock: realClock, random: realRandom });
 * ```
 */
export interface StreamsAppOptions extends Partial<StreamsConfig> {
  readonly applicationId: string;
  readonly stateDir: string;
  /**
   * The app module (its default export is `defineApp(...)`): each stream thread runs in a worker
   * thread that imports it. Needs `cluster.transport`.
   */
  readonly appModule?: string | URL;
  /** The topology, for threads on the main event loop (simulations, tests); or use `appModule`. */
  readonly topology?: Topology;
  /**
   * The cluster's actor system (an EmbeddedCluster's `system`), and for worker threads the
   * MessagePortTransport that system was built with.
   */
  readonly cluster: { readonly system: ActorSystem; readonly transport?: MessagePortTransport };
  readonly clock: Clock;
  readonly random: Random;
  /**
   * This instance's stable name among the application's instances: threads are `<instanceId>-<n>`, their
   * transactional ids and (static) group instance ids derive from it, so a restart fences the
   * previous incarnation and takes over its tasks at once. Random when omitted.
   */
  readonly instanceId?: string;
  /** Told of restoration progress (threads on this event loop only: a listener cannot cross to a worker). */
  readonly restoreListener?: RestoreListener;
  /** Told of standby replicas' progress (threads on this event loop only). */
  readonly standbyListener?: StandbyUpdateListener;
}

/**
 * A streams application.
 *
 * @example
 * ```ts
 * const app = createStreamsApp(options);
 * app.onStateChange((s) => console.log(s));
 * await app.start();
 * process.on('SIGTERM', () => void app.close());
 * ```
 * @throws ConfigError from the constructor for an invalid config; TopologyError from `start` when
 * the topology does not fit the cluster.
 */
export class StreamsApp {
  readonly config: StreamsConfig;
  private current: StreamsAppState = 'created';
  private readonly listeners: ((next: StreamsAppState, previous: StreamsAppState) => void)[] = [];
  private readonly threads: ThreadHandle[] = [];
  private readonly instanceId: string;
  private topology: Topology | undefined;
  private failure: unknown;
  private readonly threadFailures: unknown[] = [];
  /** Threads started so far: names new ones (`<instanceId>-<n>`). */
  private threadCount = 0;

  constructor(private readonly options: StreamsAppOptions) {
    const {
      topology: _t,
      appModule: _m,
      cluster: _c,
      clock: _k,
      random: _r,
      instanceId: _i,
      restoreListener: _l,
      standbyListener: _s,
      ...config
    } = options;
    this.config = resolveStreamsConfig(config);
    if ((options.topology === undefined) === (options.appModule === undefined)) {
      throw new ConfigError(
        'appModule/topology',
        undefined,
        'exactly one of appModule (worker threads) or topology',
      );
    }
    if (options.appModule !== undefined && options.cluster.transport === undefined) {
      throw new ConfigError(
        'cluster.transport',
        undefined,
        'the MessagePortTransport of the cluster’s actor system, for worker threads',
      );
    }
    this.topology = options.topology;
    this.instanceId = options.instanceId ?? `i${options.random.nextInt(0, 0x7fffffff).toString(36)}`;
  }

  /** The application's state. */
  get state(): StreamsAppState {
    return this.current;
  }

  /** The error that stopped the application (state `error`). */
  get error(): unknown {
    return this.failure;
  }

  /** Calls `listener` on every state change. */
  onStateChange(listener: (next: StreamsAppState, previous: StreamsAppState) => void): void {
    this.listeners.push(listener);
  }

  private setState(next: StreamsAppState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    for (const l of this.listeners) l(next, previous);
  }

  /** The application's threads (for progress reports). */
  streamThreads(): readonly ThreadHandle[] {
    return this.threads;
  }

  private appModuleHref(): string | undefined {
    const m = this.options.appModule;
    return m === undefined ? undefined : moduleUrl(m).href;
  }

  /**
   * Prepares topics and state, then starts the threads.
   *
   * @throws IllegalStateError unless the app is new; TopologyError when a source topic is missing
   * or an internal topic exists with another partition count.
   */
  async start(): Promise<void> {
    if (this.current !== 'created')
      throw new IllegalStateError(`start() needs a new application; it is ${this.current}.`);
    this.setState('rebalancing');
    const href = this.appModuleHref();
    if (href !== undefined) this.topology = (await loadAppDefinition(href)).topology();
    const { applicationId } = this.config;
    const client = new EmbeddedLogClient(this.options.cluster.system, {
      node: `${applicationId}-${this.instanceId}-admin`,
    });
    try {
      await ensureInternalTopics(
        new Admin(client),
        this.topology!,
        this.config.applicationId,
        this.config.replicationFactor,
      );
    } finally {
      client.close();
    }
    const stateDir = join(this.config.stateDir, applicationId);
    await claimStateDirectory(stateDir, applicationId);
    for (let n = 1; n <= this.config.numStreamThreads; n++) this.startThread(n, stateDir);
    this.threadCount = this.config.numStreamThreads;
  }

  private startThread(n: number, stateDir: string): void {
    const threadId = `${this.instanceId}-${n}`;
    const node = `${this.config.applicationId}-${threadId}`;
    const href = this.appModuleHref();
    const settings = this.threadSettings(threadId, node, stateDir);
    const handle =
      href === undefined
        ? this.inProcessThread(settings, node)
        : startWorkerStreamThread(this.options.cluster.transport!, node, {
            ...settings,
            appModule: href,
            statusIntervalMs: 250,
          });
    handle.onStateChange = () => {
      if (this.current === 'rebalancing' || this.current === 'running') {
        this.setState(stateFromThreads(this.threads.map((t) => t.state)));
      }
    };
    handle.done.catch((error: unknown) => this.onThreadFailure(handle, error, stateDir));
    this.threads.push(handle);
  }

  /**
   * The uncaught-exception policy: replace the failed thread (its tasks move in the rebalance its
   * departure causes, and resume from their last commit), or stop the whole client.
   */
  private async onThreadFailure(handle: ThreadHandle, error: unknown, stateDir: string): Promise<void> {
    if (this.current !== 'rebalancing' && this.current !== 'running') return;
    this.threadFailures.push(error);
    if (this.config.uncaughtExceptionHandler === 'replace-thread') {
      this.threads.splice(this.threads.indexOf(handle), 1);
      this.startThread(++this.threadCount, stateDir);
      return;
    }
    this.failure ??= error;
    this.setState('pendingError');
    await this.stopThreads();
    this.setState('error');
  }

  /** Errors that ended threads, oldest first (replaced threads' included). */
  get threadErrors(): readonly unknown[] {
    return this.threadFailures;
  }

  /** What each thread of this instance runs with, in a worker or not (plain data). */
  private threadSettings(threadId: string, node: string, stateDir: string): StreamThreadSettings {
    const c = this.config;
    return {
      applicationId: c.applicationId,
      threadId,
      stateDir,
      processingGuarantee: c.processingGuarantee,
      commitIntervalMs: c.commitIntervalMs,
      pollMs: c.pollMs,
      maxPollRecords: c.maxPollRecords,
      ...(this.options.instanceId === undefined ? {} : { groupInstanceId: node }),
      deserializationErrorHandler: taskPolicy(c.deserializationExceptionHandler),
      processingErrorHandler: taskPolicy(c.processingExceptionHandler),
      productionErrorHandler: taskPolicy(c.productionExceptionHandler),
      // The threads of one instance are one client to the assignor: standbys go to other instances.
      processId: this.instanceId,
      threadCount: c.numStreamThreads,
      threadIndex: (Number(threadId.slice(threadId.lastIndexOf('-') + 1)) - 1) % c.numStreamThreads,
      assignor: {
        numStandbyReplicas: c.numStandbyReplicas,
        acceptableRecoveryLag: c.acceptableRecoveryLag,
        maxWarmupReplicas: c.maxWarmupReplicas,
        probingRebalanceIntervalMs: c.probingRebalanceIntervalMs,
      },
    };
  }

  /** A thread on this event loop: it runs, then closes its clients, whatever happens. */
  private inProcessThread(settings: StreamThreadSettings, node: string): ThreadHandle {
    const o = this.options;
    const client = new EmbeddedLogClient(o.cluster.system, { node });
    const threadId = settings.threadId;
    const thread = new StreamThread({
      ...settings,
      topology: this.topology!,
      client,
      clock: o.clock,
      random: o.random,
      ...(o.restoreListener === undefined ? {} : { restoreListener: o.restoreListener }),
      ...(o.standbyListener === undefined ? {} : { standbyListener: o.standbyListener }),
    });
    const done = thread.run().finally(async () => {
      await thread.close().catch(() => undefined);
      client.close();
    });
    return {
      id: threadId,
      get state() {
        return thread.state;
      },
      metrics: thread.metrics,
      activeTaskIds: () => thread.activeTaskIds(),
      taskStatuses: () => thread.taskStatuses(),
      shutdown: () => thread.shutdown(),
      done,
      set onStateChange(listener) {
        thread.onStateChange = listener;
      },
      get onStateChange() {
        return thread.onStateChange;
      },
    };
  }

  private async stopThreads(): Promise<void> {
    for (const t of this.threads) t.shutdown();
    await Promise.allSettled(this.threads.map((t) => t.done));
  }

  /** Stops the threads gracefully: each commits, closes its tasks and leaves the group. */
  async close(): Promise<void> {
    if (this.current === 'notRunning' || this.current === 'error') return;
    if (this.current === 'created') {
      this.setState('notRunning');
      return;
    }
    this.setState('pendingShutdown');
    await this.stopThreads();
    this.setState('notRunning');
  }

  /**
   * Closes the app gracefully when the process gets one of `signals`, then calls `onClosed` (by
   * default nothing: the caller decides whether to exit). Returns a function that removes the hooks.
   *
   * @example
   * ```ts
   * app.closeOnSignals(['SIGINT', 'SIGTERM'], () => process.exit(0));
   * ```
   */
  closeOnSignals(
    signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
    onClosed: () => void = () => undefined,
  ): () => void {
    const handler = () => {
      remove();
      void this.close().then(onClosed, onClosed);
    };
    const remove = () => {
      for (const s of signals) process.off(s, handler);
    };
    for (const s of signals) process.once(s, handler);
    return remove;
  }

  /**
   * Removes the application's local state (its directory under stateDir).
   *
   * @throws IllegalStateError while the application is up.
   */
  async cleanUp(): Promise<void> {
    if (this.current !== 'created' && this.current !== 'notRunning' && this.current !== 'error') {
      throw new IllegalStateError('cleanUp() needs a stopped application; close() it first.');
    }
    await rm(join(this.config.stateDir, this.config.applicationId), { recursive: true, force: true });
  }
}

/**
 * A new, unstarted streams application.
 *
 * @example
 * ```ts
 * const app = createStreamsApp({ applicationId: 'wordcount', stateDir: './state', topology, cluster, clock: realClock, random: realRandom });
 * await app.start();
 * ```
 * @throws ConfigError for an invalid config.
 */
export function createStreamsApp(options: StreamsAppOptions): StreamsApp {
  return new StreamsApp(options);
}
