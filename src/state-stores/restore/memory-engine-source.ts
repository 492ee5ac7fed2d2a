/**
 * The in-memory engine as an EngineSource: its volume plays the part of the store's directory.
 */
import type { StoreEngine } from '../engine.js';
import { MemoryEngine, MemoryVolume } from '../memory/memory-engine.js';
import type { EngineSource } from './engine-source.js';

/**
 * An EngineSource over a MemoryVolume; wiping replaces the volume with an empty one.
 *
 * @example
 * ```ts
 * const source = new MemoryEngineSource('counts');
 * const { engine } = await restoreStore({ source, reader: client, topic, partition: 0, clock });
 * source.volume.crash(); // a simulated process death; restore again from `source`
 * ```
 * @throws StateStoreFailedError from `open` while another open engine uses the volume.
 */
export class MemoryEngineSource implements EngineSource {
  constructor(
    readonly name: string,
    private current: MemoryVolume = new MemoryVolume(),
  ) {}

  /** The volume the next `open` uses. */
  get volume(): MemoryVolume {
    return this.current;
  }

  async open(): Promise<StoreEngine> {
    return MemoryEngine.open(this.name, this.current);
  }

  async wipe(): Promise<void> {
    this.current = new MemoryVolume();
  }

  /** The in-memory engine is never corrupt. */
  isCorrupt(): boolean {
    return false;
  }
}
