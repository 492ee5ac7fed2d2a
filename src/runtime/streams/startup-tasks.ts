/**
 * Startup tasks (Kafka Streams 4.x's StateDirectory startup tasks): the local state a restarted
 * instance finds on disk is opened while the thread joins its group, not after, so opening
 * RocksDB (which replays its write-ahead log after a crash) overlaps the join instead of adding to
 * it. A task the group then gives this thread takes its engines over and restores only the
 * changelog tail; the others are closed, and the offsets their state reached are remembered for
 * the assignor's lag (KIP-441's task offset sums).
 *
 * A thread opens its share of the task directories (by a hash of the task id). The stream thread
 * uses startup tasks only when its instance runs one thread: threads of one process are workers
 * that cannot pass RocksDB handles to each other, so a store one of them opened would hold its
 * lock against the thread the group gave the task to (a lock-retry deadlock under load, found by
 * the crash test).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Topology } from '../../dsl/topology.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import { RocksDbEngineSource } from '../../state-stores/restore/rocksdb-engine-source.js';
import { storesOfSubTopology } from './active-task.js';

const TASK_DIR = /^(\d+)_(\d+)$/;

/**
 * What startup tasks are found from.
 *
 * @example
 * ```ts
 * const o: StartupTasksOptions = { topology, stateDir, threadIndex: 0, threadCount: 2 };
 * ```
 */
export interface StartupTasksOptions {
  readonly topology: Topology;
  /** The application's state directory (`<stateDir>/<taskId>/<store>`). */
  readonly stateDir: string;
  /** This thread's place among the instance's threads, and how many there are. */
  readonly threadIndex: number;
  readonly threadCount: number;
}

/**
 * The local stores opened ahead of the first assignment, by task id.
 *
 * @example
 * ```ts
 * const startup = StartupTasks.open(options); // not awaited: runs while the group forms
 * const engines = await startup.take('1_0');    // the task landed here: continue from these
 * await startup.closeRest((id, engines) => remember(id, engines));
 * ```
 */
export class StartupTasks {
  private constructor(private readonly opening: Promise<Map<string, Map<string, StoreEngine>>>) {}

  /** Starts opening this thread's share of the task directories found on disk. */
  static open(o: StartupTasksOptions): StartupTasks {
    return new StartupTasks(openShare(o));
  }

  /** No startup tasks (state in memory, or nothing on disk). */
  static none(): StartupTasks {
    return new StartupTasks(Promise.resolve(new Map()));
  }

  /** The opened engines of task `id` (undefined when none), which the caller now owns. */
  async take(id: string): Promise<Map<string, StoreEngine> | undefined> {
    const opened = await this.opening;
    const engines = opened.get(id);
    opened.delete(id);
    return engines;
  }

  /**
   * Closes every engine no task took, telling `before` each task's engines first (to read the
   * offsets its state reached).
   */
  async closeRest(before: (id: string, engines: ReadonlyMap<string, StoreEngine>) => void): Promise<void> {
    const opened = await this.opening;
    for (const [id, engines] of opened) {
      before(id, engines);
      for (const engine of engines.values()) await engine.close().catch(() => undefined);
    }
    opened.clear();
  }
}

async function openShare(o: StartupTasksOptions): Promise<Map<string, Map<string, StoreEngine>>> {
  const out = new Map<string, Map<string, StoreEngine>>();
  const dirs = await readdir(o.stateDir).catch(() => [] as string[]);
  for (const dir of dirs.sort()) {
    const m = TASK_DIR.exec(dir);
    if (m === null || shareOf(dir, o.threadCount) !== o.threadIndex % o.threadCount) continue;
    const sub = Number(m[1]);
    const stores = new Set(await readdir(join(o.stateDir, dir)).catch(() => [] as string[]));
    const engines = new Map<string, StoreEngine>();
    for (const name of storesOfSubTopology(o.topology, sub)) {
      const def = o.topology.stores.get(name);
      if (def === undefined || !def.persistent || !def.changelog || def.global === true || !stores.has(name))
        continue;
      // A store that does not open (locked, corrupt) is left to the task's own open, which
      // retries a lock and wipes a corrupt store.
      const engine = await new RocksDbEngineSource({ name, dir: join(o.stateDir, dir, name) })
        .open()
        .catch(() => undefined);
      if (engine !== undefined) engines.set(name, engine);
    }
    if (engines.size > 0) out.set(dir, engines);
  }
  return out;
}

/** Which thread opens a task directory: a stable hash of its name over the thread count. */
function shareOf(taskId: string, threadCount: number): number {
  let h = 0;
  for (let i = 0; i < taskId.length; i++) h = (h * 31 + taskId.charCodeAt(i)) >>> 0;
  return h % Math.max(1, threadCount);
}
