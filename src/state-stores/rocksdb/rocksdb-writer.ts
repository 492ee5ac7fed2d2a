/**
 * Write-behind for RocksDB: the engines of a JS thread hand their write batches to one helper
 * thread, which puts them into RocksDB while the stream thread processes on. A batch's puts and
 * its write cost a stream thread ~1.2 µs per store write (most of it RocksDB's memtable insert),
 * about a quarter of a windowed count's time per record; here it only copies the batch into one
 * transferable buffer.
 *
 * The helper opens nothing: it reaches each database through its native handle (`RocksLevel
 * .handle`, a pointer in this process) and writes it as the owning engine would, in the order the
 * batches were handed over. Progress is a counter in shared memory, so an engine knows without a
 * message round trip which of its batches are in RocksDB, and can block (Atomics.wait) when it
 * must: too many batches outstanding, or closing. Until a batch is in, the engine answers reads of
 * it from memory (rocksdb-engine.ts). A write that fails marks the helper failed: every engine of
 * the thread fails then (StateStoreFailedError), as a failed synchronous write fails its engine.
 *
 * Safety: an engine closes its database only after the helper finished every batch of it; when a
 * worker thread ends, Node stops and joins its child threads (this helper) before the cleanup
 * hooks that close still-open databases run.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How long waitFor blocks on a helper that finishes nothing before it counts as failed. */
const STALL_MS = 60_000;
const WAIT_SLICE_MS = 100;

/** The helper's code: plain CommonJS, run with `eval` (no loader needed in any runtime). */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const binding = require(workerData.bindingPath);
const progress = new Int32Array(workerData.progress);
const dbs = new Map();
const batch = binding.batch_init();
let failed = false;
parentPort.on('message', (m) => {
  if (m.forget !== undefined) {
    dbs.delete(m.forget);
    return;
  }
  while (Atomics.load(progress, 2) === 1) Atomics.wait(progress, 2, 1);
  if (!failed) {
    try {
      let d = dbs.get(m.handle);
      if (d === undefined) {
        const db = binding.db_init(m.handle);
        // On an open database db_open only returns its column handles.
        const columns = binding.db_open(db, {}, () => undefined);
        d = { db, meta: { column: columns[m.meta] } };
        dbs.set(m.handle, d);
      }
      if (m.count > 0) {
        const buf = Buffer.from(m.payload);
        let p = 0;
        for (let i = 0; i < m.count; i++) {
          const kind = buf[p];
          const klen = buf.readUInt32LE(p + 1);
          const vlen = buf.readUInt32LE(p + 5);
          p += 9;
          const key = buf.subarray(p, p + klen);
          p += klen;
          if (kind === 1) {
            binding.batch_del(batch, key, undefined);
          } else {
            binding.batch_put(batch, key, buf.subarray(p, p + vlen), kind === 2 ? d.meta : undefined);
            p += vlen;
          }
        }
        try {
          binding.batch_write(d.db, batch, { sync: false });
        } finally {
          binding.batch_clear(batch);
        }
      }
      for (const [gte, lt] of m.purges) binding.db_clear(d.db, { gte, lt });
    } catch (err) {
      failed = true;
      Atomics.store(progress, 1, 1);
      parentPort.postMessage({ error: String((err && err.message) || err) });
    }
  }
  Atomics.add(progress, 0, 1);
  Atomics.notify(progress, 0);
});
`;

/**
 * Write kinds in a payload: a put or a delete in the default column, a put in the meta column.
 *
 * @example
 * ```ts
 * payload[pos] = WRITE_KIND.put;
 * ```
 */
export const WRITE_KIND = Object.freeze({ put: 0, delete: 1, metaPut: 2 });

/**
 * Bytes before each write's key in a payload: kind (1), key length (4), value length (4), both
 * little-endian; the key's bytes follow, then the value's (none for a delete).
 *
 * @example
 * ```ts
 * const bytes = WRITE_HEADER_BYTES + key.length + value.length;
 * ```
 */
export const WRITE_HEADER_BYTES = 9;

/**
 * The write-behind helper of this JS thread (module state is per thread: each worker thread has
 * its own).
 *
 * @example
 * ```ts
 * const writer = RocksDbWriter.ofThisThread();
 * const seq = writer.submit(db.handle, 'offsets', payload, count, []);
 * writer.waitFor(seq); // blocks until RocksDB holds the batch
 * ```
 */
export class RocksDbWriter {
  private static current: RocksDbWriter | undefined;
  private readonly worker: Worker;
  /**
   * [0]: batches finished (written, or skipped after a failure); [1]: 1 once a write failed;
   * [2]: 1 while held (see hold).
   */
  private readonly progress: Int32Array;
  private submitted = 0;
  private failureMessage: string | undefined;

  private constructor() {
    const shared = new SharedArrayBuffer(12);
    this.progress = new Int32Array(shared);
    const bindingPath = createRequire(import.meta.url).resolve('@nxtedition/rocksdb/binding.js');
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { bindingPath, progress: shared } });
    this.worker.on('message', (m: { error?: string }) => {
      this.failureMessage ??= m.error;
    });
    this.worker.on('error', (err) => {
      this.failureMessage ??= err.message;
      Atomics.store(this.progress, 1, 1);
    });
    // It must not keep the thread (or process) alive on its own: it has work only while engines
    // do, and they wait for it. (After the listeners: adding one refs the worker again.)
    this.worker.unref();
  }

  /** The helper of the calling thread, started at first use. */
  static ofThisThread(): RocksDbWriter {
    RocksDbWriter.current ??= new RocksDbWriter();
    return RocksDbWriter.current;
  }

  /**
   * Hands over one batch of `count` writes encoded in `payload` (see WriteKind, WRITE_HEADER_BYTES)
   * for the database behind `handle`, then the key ranges `purges` to delete; returns its
   * sequence number. `payload` is transferred (unusable here afterwards).
   */
  submit(
    handle: bigint,
    metaColumn: string,
    payload: ArrayBuffer | null,
    count: number,
    purges: readonly (readonly [Uint8Array, Uint8Array])[],
  ): number {
    this.worker.postMessage(
      { handle, meta: metaColumn, payload, count, purges },
      payload === null ? [] : [payload],
    );
    return ++this.submitted;
  }

  /**
   * Makes the helper take no further batch until `release`: batches handed over meanwhile stay
   * outstanding, which is how a test checks reads of them. Release before an engine has 4
   * outstanding (its next write would wait for the helper) or closes.
   *
   * @example
   * ```ts
   * writer.hold();
   * engine.write(ops); // outstanding: reads answer it from memory
   * writer.release();
   * ```
   */
  hold(): void {
    Atomics.store(this.progress, 2, 1);
  }

  /** Lets the helper go on (see hold). */
  release(): void {
    Atomics.store(this.progress, 2, 0);
    Atomics.notify(this.progress, 2);
  }

  /** Drops the helper's reference to a database about to close (after its last batch). */
  forget(handle: bigint): void {
    this.worker.postMessage({ forget: handle });
  }

  /** How many batches are finished: every one up to this sequence number. */
  finished(): number {
    return Atomics.load(this.progress, 0);
  }

  /** Blocks until batch `seq` is finished, or the helper failed (see failure). */
  waitFor(seq: number): void {
    let idleWaits = 0;
    for (;;) {
      const done = Atomics.load(this.progress, 0);
      if (done >= seq || Atomics.load(this.progress, 1) === 1) return;
      // Bounded: a helper that died without a word (its error event cannot arrive while this
      // thread blocks) would never count again.
      if (Atomics.wait(this.progress, 0, done, WAIT_SLICE_MS) !== 'timed-out') idleWaits = 0;
      else if (++idleWaits * WAIT_SLICE_MS >= STALL_MS) {
        this.failureMessage ??= `the RocksDB write-behind thread finished nothing for ${STALL_MS / 1000} s`;
        Atomics.store(this.progress, 1, 1);
        return;
      }
    }
  }

  /** Why a write failed, once one has (the helper writes nothing more then); undefined before. */
  failure(): string | undefined {
    if (Atomics.load(this.progress, 1) === 0) return undefined;
    return this.failureMessage ?? 'a RocksDB write on the write-behind thread failed';
  }
}
