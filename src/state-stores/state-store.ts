/**
 * What every state store has in common: a name, a lifecycle, and the transactional commit of
 * DESIGN.md §7. A store buffers the writes of the open transaction (its reads see them); `commit`
 * applies them to the engine in one atomic write together with the changelog offsets they reflect;
 * `abort` drops them. With a record cache in front, `flush` first hands the cache's collapsed
 * updates to its listener (downstream and the changelog) — call it before committing the log
 * transaction, then `commit` once the log transaction has committed.
 */
import type { ChangelogOffsets } from './engine.js';

/**
 * The lifecycle and transaction control of a state store.
 *
 * @example
 * ```ts
 * store.flush(); // the cache's updates reach the changelog inside the log transaction
 * await producer.commitTransaction();
 * store.commit(new Map([['app-counts-changelog/0', producedUpTo]]));
 * ```
 * @throws StoreClosedError from every method but `close` once closed.
 */
export interface StateStore {
  /** The store's name, unique within its task. */
  readonly name: string;
  /** True when the data outlives the process (RocksDB). */
  readonly persistent: boolean;
  readonly isOpen: boolean;
  /** Bytes held by the open transaction (not yet committed). */
  readonly uncommittedBytes: number;
  /** True when the open transaction has reached its byte bound: commit soon. */
  readonly commitNeeded: boolean;
  /** Hands the record cache's dirty entries to the transaction and to the cache's listener. */
  flush(): void;
  /** Flushes, then applies the open transaction atomically together with `changelogOffsets`. */
  commit(changelogOffsets?: ChangelogOffsets): void;
  /** Drops the open transaction and the record cache. */
  abort(): void;
  /** The changelog offsets the committed state reflects (as reopened, then as committed). */
  committedOffsets(): ChangelogOffsets;
  /** Closes the store; the open transaction is dropped (commit first to keep it). Idempotent. */
  close(): Promise<void>;
}
