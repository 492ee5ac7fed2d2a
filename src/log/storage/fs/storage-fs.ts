/**
 * The file system the log is stored in, injected like the Clock (DESIGN.md §4). Production uses
 * NodeStorageFs; tests and the simulated cluster use MemoryStorageFs, which can crash and lose,
 * tear or reorder every write that was not synced.
 *
 * Reads and writes are synchronous: they hit the page cache and cost a memcpy, and an awaited
 * call per batch would cost a thread-pool hop. Only `sync` (fdatasync) is asynchronous, because it
 * waits on the device and group commit overlaps it with new appends.
 */

/** An open file. Positions and lengths are in bytes. */
export interface StorageFile {
  readonly path: string;
  /** Current size in bytes. */
  size(): number;
  /** Writes all of `buf[offset, offset+length)` at `position`. */
  write(buf: Uint8Array, offset: number, length: number, position: number): void;
  /** Reads up to `length` bytes at `position` into `buf` at `offset`; returns the bytes read. */
  read(buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): void;
  /** Makes every write so far durable (fdatasync). Rejects on a device error. */
  sync(): Promise<void>;
  /** The blocking form of `sync`, for rare side files written at roll, close or recovery. */
  syncBlocking(): void;
  close(): void;
}

/** A directory tree of files. */
export interface StorageFs {
  /** Opens a file; `create` makes it (empty) if missing. */
  open(path: string, options: { create: boolean }): StorageFile;
  exists(path: string): boolean;
  /** The names (not paths) of the entries of a directory. */
  list(dir: string): string[];
  /** Creates a directory and its parents. */
  mkdirp(dir: string): void;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): void;
  /** Removes a file; harmless if it is missing. */
  remove(path: string): void;
  /** Removes a directory and everything in it; harmless if it is missing. */
  removeDir(dir: string): void;
  /** Makes the directory's entries (creations, renames, removals) durable. */
  syncDir(dir: string): void;
}

/**
 * Reads a whole (small) file: checkpoints and indexes, never segments.
 *
 * @example
 * ```ts
 * const bytes = readWholeFile(fs, '/data/t-0/partition.checkpoint');
 * ```
 */
export function readWholeFile(fs: StorageFs, path: string): Buffer {
  const file = fs.open(path, { create: false });
  try {
    const size = file.size();
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = file.read(buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    file.close();
  }
}

/**
 * Replaces a file's contents so that a crash leaves either the old contents or the new, never a
 * mix: write a temp file, sync it, rename it over the target, sync the directory.
 *
 * @example
 * ```ts
 * writeFileAtomically(fs, dir, 'partition.checkpoint', bytes);
 * ```
 */
export function writeFileAtomically(fs: StorageFs, dir: string, name: string, bytes: Uint8Array): void {
  const tmp = `${dir}/${name}${TEMP_SUFFIX}`;
  const file = fs.open(tmp, { create: true });
  try {
    file.truncate(0);
    file.write(bytes, 0, bytes.length, 0);
    file.syncBlocking();
  } finally {
    file.close();
  }
  fs.rename(tmp, `${dir}/${name}`);
  fs.syncDir(dir);
}

/**
 * The non-blocking form of `writeFileAtomically`: the temp file's sync runs off the event loop.
 * `shouldCommit` is asked just before the rename; returning false abandons the write (a newer one
 * has landed meanwhile), so an older state never replaces a newer one.
 *
 * @example
 * ```ts
 * await writeFileAtomicallyAsync(fs, dir, 'partition.checkpoint', bytes, () => generation === latest);
 * ```
 */
export async function writeFileAtomicallyAsync(
  fs: StorageFs,
  dir: string,
  name: string,
  bytes: Uint8Array,
  shouldCommit: () => boolean,
): Promise<boolean> {
  const tmp = `${dir}/${name}.async${TEMP_SUFFIX}`;
  const file = fs.open(tmp, { create: true });
  try {
    file.truncate(0);
    file.write(bytes, 0, bytes.length, 0);
    await file.sync();
  } finally {
    file.close();
  }
  if (!shouldCommit()) {
    fs.remove(tmp);
    return false;
  }
  fs.rename(tmp, `${dir}/${name}`);
  fs.syncDir(dir);
  return true;
}

/** Suffix of temp files; any left at open are from a crash and are removed. */
export const TEMP_SUFFIX = '.tmp';
