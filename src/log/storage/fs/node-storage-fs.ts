/**
 * StorageFs on the real disk through node:fs. Errors from the OS (EIO, ENOSPC, …) propagate as
 * they are; the log turns them into a fail-stop StorageError.
 */
import * as fs from 'node:fs';
import type { StorageFile, StorageFs } from './storage-fs.js';

class NodeStorageFile implements StorageFile {
  readonly path: string;
  private readonly fd: number;
  private closed = false;

  constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  size(): number {
    return fs.fstatSync(this.fd).size;
  }

  write(buf: Uint8Array, offset: number, length: number, position: number): void {
    let done = 0;
    // writeSync may write less than asked (rare on files, but allowed): loop until all is written.
    while (done < length) {
      done += fs.writeSync(this.fd, buf, offset + done, length - done, position + done);
    }
  }

  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  truncate(length: number): void {
    fs.ftruncateSync(this.fd, length);
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  syncBlocking(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/**
 * The production file system.
 *
 * @example
 * ```ts
 * const log = PartitionLog.open({ dir: '/var/lib/millrace/orders-0', fs: new NodeStorageFs() });
 * ```
 */
export class NodeStorageFs implements StorageFs {
  open(path: string, options: { create: boolean }): StorageFile {
    const fd = fs.openSync(
      path,
      options.create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR,
      0o644,
    );
    return new NodeStorageFile(path, fd);
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  list(dir: string): string[] {
    return fs.readdirSync(dir);
  }

  mkdirp(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }

  remove(path: string): void {
    fs.rmSync(path, { force: true });
  }

  removeDir(dir: string): void {
    fs.rmSync(dir, { force: true, recursive: true });
  }

  syncDir(dir: string): void {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
