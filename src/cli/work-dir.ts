/**
 * The working directory of a demo command: the one the user named (new or empty, kept afterwards)
 * or a fresh temp directory.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './args.js';

/**
 * A directory to work in, and whether the command made it as a temp directory.
 *
 * @example
 * ```ts
 * const { dir, temporary }: WorkDir = prepareWorkDir(undefined, '--dir', 'millrace-log-demo-');
 * ```
 */
export interface WorkDir {
  dir: string;
  temporary: boolean;
}

/**
 * Returns `dir` if it is missing or an empty directory, or a new temp directory named with
 * `tempPrefix` when `dir` is undefined. A demo starts from nothing, so a directory with files in
 * it is refused rather than reused or overwritten.
 *
 * @example
 * ```ts
 * prepareWorkDir('/tmp/demo', '--data-dir', 'millrace-eos-demo-'); // { dir: '/tmp/demo', temporary: false }
 * ```
 * @throws UsageError naming `option` when `dir` is a file or a directory that is not empty.
 */
export function prepareWorkDir(dir: string | undefined, option: string, tempPrefix: string): WorkDir {
  if (dir === undefined) return { dir: mkdtempSync(join(tmpdir(), tempPrefix)), temporary: true };
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${option} ${dir} is not a directory`);
    if (readdirSync(dir).length > 0) {
      throw new UsageError(`${option} ${dir} is not empty; give a new or empty directory for a fresh start`);
    }
  }
  return { dir, temporary: false };
}
