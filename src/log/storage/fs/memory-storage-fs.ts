/**
 * An in-memory StorageFs that models what a crash does to a real disk. Every file keeps its
 * durable contents (as of its last sync) and the writes made since. `crash(random)` throws away
 * the open handles and rebuilds each file from its durable contents plus a random subset of the
 * unsynced writes, applied in random order and possibly torn — the "lost, reordered or garbled
 * unsynced writes" of a power failure. Faults (EIO on sync, ENOSPC on write) can be injected.
 *
 * Directory operations (create, rename, remove) are durable at once: a simplification that
 * assumes the real code's syncDir after each of them.
 */
import type { Random } from '../../../runtime/actor/random.js';
import type { StorageFile, StorageFs } from './storage-fs.js';

interface UnsyncedWrite {
  position: number;
  bytes: Uint8Array;
}

class MemoryInode {
  data = new Uint8Array(0);
  size = 0;
  durable = new Uint8Array(0);
  unsynced: UnsyncedWrite[] = [];

  write(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.max(end, this.data.length * 2, 4096));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    if (position > this.size) this.data.fill(0, this.size, position);
    this.data.set(bytes, position);
    this.size = Math.max(this.size, end);
    this.unsynced.push({ position, bytes: bytes.slice() });
  }

  truncate(length: number): void {
    if (length < this.size) this.data.fill(0, length, this.size);
    else if (length > this.data.length) {
      const grown = new Uint8Array(length);
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    this.size = length;
    // A shrink is applied to the durable image too: what it drops was being discarded anyway.
    if (length < this.durable.length) this.durable = this.durable.slice(0, length);
    this.unsynced = this.unsynced.filter((w) => w.position < length);
    for (const w of this.unsynced) {
      if (w.position + w.bytes.length > length) w.bytes = w.bytes.slice(0, length - w.position);
    }
  }

  sync(): void {
    this.durable = this.data.slice(0, this.size);
    this.unsynced = [];
  }
}

/** Which faults to inject into a MemoryStorageFs. */
export interface MemoryFsFaults {
  /** Fail every `sync` whose path contains this string with EIO. */
  failSyncOn?: string;
  /** Fail every write that would grow the total stored bytes past this many with ENOSPC. */
  capacityBytes?: number;
  /** Fail every rename whose source path contains this string with EIO (a crash before the rename). */
  failRenameOn?: string;
  /** Fail every open whose path contains this string with EIO. */
  failOpenOn?: string;
}

/**
 * The in-memory file system for tests and the simulated cluster.
 *
 * @example
 * ```ts
 * const fs = new MemoryStorageFs();
 * const log = PartitionLog.open({ dir: '/p0', fs });
 * log.append(batch);
 * fs.crash(new SeededRandom(7)); // unsynced writes lost, torn or reordered
 * const recovered = PartitionLog.open({ dir: '/p0', fs });
 * ```
 */
export class MemoryStorageFs implements StorageFs {
  private readonly files = new Map<string, MemoryInode>();
  private readonly dirs = new Set<string>(['/']);
  private handles = new Set<MemoryFile>();
  faults: MemoryFsFaults = {};

  open(path: string, options: { create: boolean }): StorageFile {
    if (this.faults.failOpenOn !== undefined && path.includes(this.faults.failOpenOn)) {
      throw fsError('EIO', `i/o error opening ${path}`);
    }
    let inode = this.files.get(path);
    if (inode === undefined) {
      if (!options.create) throw fsError('ENOENT', `no such file: ${path}`);
      if (!this.dirs.has(parentOf(path))) throw fsError('ENOENT', `no such directory: ${parentOf(path)}`);
      inode = new MemoryInode();
      this.files.set(path, inode);
    }
    const handle = new MemoryFile(path, inode, this);
    this.handles.add(handle);
    return handle;
  }

  exists(path: string): boolean {
    return this.files.has(path) || this.dirs.has(path);
  }

  list(dir: string): string[] {
    if (!this.dirs.has(dir)) throw fsError('ENOENT', `no such directory: ${dir}`);
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names: string[] = [];
    for (const path of [...this.files.keys(), ...this.dirs]) {
      if (path.startsWith(prefix) && !path.slice(prefix.length).includes('/') && path !== prefix) {
        names.push(path.slice(prefix.length));
      }
    }
    return names.sort();
  }

  mkdirp(dir: string): void {
    const parts = dir.split('/').filter((p) => p.length > 0);
    let path = '';
    for (const part of parts) {
      path += `/${part}`;
      this.dirs.add(path);
    }
  }

  rename(from: string, to: string): void {
    if (this.faults.failRenameOn !== undefined && from.includes(this.faults.failRenameOn)) {
      throw fsError('EIO', `i/o error renaming ${from}`);
    }
    const inode = this.files.get(from);
    if (inode === undefined) throw fsError('ENOENT', `no such file: ${from}`);
    this.files.delete(from);
    this.files.set(to, inode);
  }

  remove(path: string): void {
    this.files.delete(path);
  }

  removeDir(dir: string): void {
    const prefix = `${dir}/`;
    for (const path of [...this.files.keys()]) if (path.startsWith(prefix)) this.files.delete(path);
    for (const d of [...this.dirs]) if (d === dir || d.startsWith(prefix)) this.dirs.delete(d);
  }

  syncDir(_dir: string): void {}

  /** The current bytes of a file, as a reader would see them now (a copy). */
  contents(path: string): Uint8Array {
    const inode = this.files.get(path);
    if (inode === undefined) throw fsError('ENOENT', `no such file: ${path}`);
    return inode.data.slice(0, inode.size);
  }

  /** Replaces a file's bytes, durably: for planting corruption in tests. */
  setContents(path: string, bytes: Uint8Array): void {
    let inode = this.files.get(path);
    if (inode === undefined) {
      inode = new MemoryInode();
      this.files.set(path, inode);
    }
    inode.data = bytes.slice();
    inode.size = bytes.length;
    inode.sync();
  }

  /** A copy of this file system as a reader would see it now, every file durable: a disk image. */
  clone(): MemoryStorageFs {
    const copy = new MemoryStorageFs();
    for (const dir of this.dirs) copy.dirs.add(dir);
    for (const path of this.files.keys()) copy.setContents(path, this.contents(path));
    return copy;
  }

  /** The paths of every file, sorted. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Total bytes stored, across files. */
  totalBytes(): number {
    let total = 0;
    for (const inode of this.files.values()) total += inode.size;
    return total;
  }

  /**
   * Simulates a power failure. Open handles become unusable. Each file keeps its durable bytes;
   * each unsynced write survives whole, torn at a random byte, or not at all, and survivors land
   * in a random order (so a later write can survive where an earlier one did not).
   */
  crash(random: Random): void {
    for (const h of this.handles) h.invalidate();
    this.handles = new Set();
    for (const inode of this.files.values()) {
      const writes = inode.unsynced;
      const image = new MemoryInode();
      image.write(inode.durable, 0);
      image.size = inode.durable.length;
      const order = writes.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.nextInt(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const i of order) {
        const w = writes[i]!;
        const fate = random.nextInt(0, 2); // 0 lost, 1 torn, 2 whole
        if (fate === 0) continue;
        const length = fate === 1 ? random.nextInt(0, w.bytes.length) : w.bytes.length;
        image.write(w.bytes.subarray(0, length), w.position);
      }
      inode.data = image.data;
      inode.size = image.size;
      inode.sync();
    }
  }

  /** Drops every unsynced write (the kindest crash): files revert to their durable bytes. */
  crashLosingUnsynced(): void {
    for (const h of this.handles) h.invalidate();
    this.handles = new Set();
    for (const inode of this.files.values()) {
      inode.data = inode.durable.slice();
      inode.size = inode.durable.length;
      inode.unsynced = [];
    }
  }

  /** @internal */
  release(handle: MemoryFile): void {
    this.handles.delete(handle);
  }
}

class MemoryFile implements StorageFile {
  readonly path: string;
  private readonly inode: MemoryInode;
  private readonly owner: MemoryStorageFs;
  private valid = true;

  constructor(path: string, inode: MemoryInode, owner: MemoryStorageFs) {
    this.path = path;
    this.inode = inode;
    this.owner = owner;
  }

  invalidate(): void {
    this.valid = false;
  }

  size(): number {
    this.check();
    return this.inode.size;
  }

  write(buf: Uint8Array, offset: number, length: number, position: number): void {
    this.check();
    const capacity = this.owner.faults.capacityBytes;
    if (capacity !== undefined) {
      const growth = Math.max(0, position + length - this.inode.size);
      if (this.owner.totalBytes() + growth > capacity)
        throw fsError('ENOSPC', `no space left writing ${this.path}`);
    }
    this.inode.write(buf.subarray(offset, offset + length), position);
  }

  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    this.check();
    const n = Math.max(0, Math.min(length, this.inode.size - position));
    buf.set(this.inode.data.subarray(position, position + n), offset);
    return n;
  }

  truncate(length: number): void {
    this.check();
    this.inode.truncate(length);
  }

  sync(): Promise<void> {
    try {
      this.syncBlocking();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  syncBlocking(): void {
    this.check();
    const failOn = this.owner.faults.failSyncOn;
    if (failOn !== undefined && this.path.includes(failOn))
      throw fsError('EIO', `i/o error syncing ${this.path}`);
    this.inode.sync();
  }

  close(): void {
    this.valid = false;
    this.owner.release(this);
  }

  private check(): void {
    if (!this.valid) throw fsError('EBADF', `file handle for ${this.path} is closed or was lost in a crash`);
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}
