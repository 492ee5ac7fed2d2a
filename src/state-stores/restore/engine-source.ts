/**
 * Where a store's engine comes from, for restoration: it opens the engine, and when the engine is
 * corrupt, missing its offsets or behind the changelog's retention, wipes it so that it can be
 * rebuilt from the changelog.
 */
import type { StoreEngine } from '../engine.js';

/**
 * Opens and wipes one store's engine.
 *
 * @example
 * ```ts
 * const source: EngineSource = new MemoryEngineSource('counts');
 * const engine = await source.open();
 * ```
 */
export interface EngineSource {
  /** The store name. */
  readonly name: string;
  /** Opens the engine (creating it when missing). */
  open(): Promise<StoreEngine>;
  /** Removes every trace of the store's data; the engine must be closed. */
  wipe(): Promise<void>;
  /** True when `error` (thrown by `open`) means the data is corrupt, so wiping it is the fix. */
  isCorrupt(error: unknown): boolean;
}
