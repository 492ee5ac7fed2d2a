/**
 * Where the controller keeps its state between restarts: a sealed JSON snapshot in its own
 * directory, replaced atomically on every change (topics and partition states change rarely, and
 * the snapshot is small). A missing file is a new cluster; a damaged one is refused, since
 * starting empty would forget every topic.
 */
import { IllegalStateError } from '../../common/errors.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import { readWholeFile, writeFileAtomically } from '../storage/fs/storage-fs.js';
import { openSealedFile, sealFile } from '../storage/sealed-file.js';
import type { ControllerSnapshot } from './controller-state.js';

const FILE = 'controller.snapshot';

/**
 * The controller's snapshot file.
 *
 * @example
 * ```ts
 * const store = new ControllerStore(fs, `${dataDir}/controller`);
 * const snapshot = store.load();
 * store.save(state.snapshot());
 * ```
 */
export class ControllerStore {
  constructor(
    private readonly fs: StorageFs,
    private readonly dir: string,
  ) {
    fs.mkdirp(dir);
  }

  /**
   * The saved snapshot, or undefined for a new cluster.
   *
   * @throws IllegalStateError when the file exists but is damaged (restore it from a backup, or
   *   remove it to start a new, empty cluster).
   */
  load(): ControllerSnapshot | undefined {
    const path = `${this.dir}/${FILE}`;
    if (!this.fs.exists(path)) return undefined;
    const payload = openSealedFile(readWholeFile(this.fs, path));
    if (payload === undefined) {
      throw new IllegalStateError(
        `controller snapshot ${path} is damaged; restore it, or remove it to start an empty cluster`,
      );
    }
    const snapshot = JSON.parse(Buffer.from(payload).toString('utf8')) as ControllerSnapshot;
    if (snapshot.version !== 1)
      throw new IllegalStateError(`controller snapshot ${path} has unknown version ${snapshot.version}`);
    return snapshot;
  }

  /** Replaces the snapshot atomically (temp file, sync, rename). */
  save(snapshot: ControllerSnapshot): void {
    writeFileAtomically(this.fs, this.dir, FILE, sealFile(Buffer.from(JSON.stringify(snapshot), 'utf8')));
  }
}
