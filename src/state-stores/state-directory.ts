/**
 * The owner of a state directory. The first application to use a directory writes its application
 * id into a marker file there; a different application id is refused, because two applications
 * sharing stores would read each other's state as their own.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateDirectoryOwnedError } from '../common/errors.js';

/**
 * The marker file in a state directory that holds the application id owning it.
 *
 * @example
 * ```ts
 * readFileSync(join(stateDir, STATE_DIR_MARKER), 'utf8'); // 'orders-app'
 * ```
 */
export const STATE_DIR_MARKER = '.millrace-app';

/**
 * Claims `dir` for `applicationId`: creates it and its marker on first use; accepts it when the
 * marker names the same id.
 *
 * @example
 * ```ts
 * await claimStateDirectory('/data/state', 'orders-app'); // before opening any store under it
 * ```
 * @throws StateDirectoryOwnedError when the marker names another application id (naming both and
 * the directory); the file system's error when the directory cannot be created or read.
 */
export async function claimStateDirectory(dir: string, applicationId: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const marker = join(dir, STATE_DIR_MARKER);
  let owner: string | undefined;
  try {
    owner = (await readFile(marker, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (owner !== undefined && owner !== '') {
    if (owner !== applicationId) throw new StateDirectoryOwnedError(dir, owner, applicationId);
    return;
  }
  // Written aside and renamed, so a crash never leaves a half-written marker.
  const temp = `${marker}.tmp`;
  await writeFile(temp, `${applicationId}\n`);
  await rename(temp, marker);
}
