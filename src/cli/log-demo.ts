/**
 * `millrace log-demo`: a real demonstration of the partition log on disk. It writes records in
 * ~1 MiB batches built with RecordBatchBuilder, flushes and closes the log, reopens it (recovery
 * reports what it had to do), reads every record back and checks it, and prints the throughput of
 * each phase and the log's size on disk. Time comes from the injected real clock (DESIGN.md §4).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatchBuilder } from '../log/format/record-batch-builder.js';
import { iterateBatches } from '../log/format/record-batch-decoder.js';
import type { RecoveryReport } from '../log/storage/log-recovery.js';
import { PartitionLog } from '../log/storage/partition-log.js';
import { realClock } from '../runtime/actor/real-clock.js';
import { prepareWorkDir } from './work-dir.js';

/**
 * What to demonstrate.
 *
 * @example
 * ```ts
 * const options: LogDemoOptions = { dir: '/tmp/demo-0', records: 1_000_000, recordBytes: 100 };
 * ```
 */
export interface LogDemoOptions {
  /** The partition directory (new or empty, kept afterwards); a temp directory when undefined. */
  dir?: string | undefined;
  records: number;
  /** Size of each record's value; at least 10, since the value starts with its offset in digits. */
  recordBytes: number;
}

/**
 * Throughput of one phase (write or read).
 *
 * @example
 * ```ts
 * const { mbPerSec, recordsPerSec } = report.write;
 * ```
 */
export interface PhaseFigures {
  ms: number;
  mbPerSec: number;
  recordsPerSec: number;
}

/**
 * What the demonstration did and measured.
 *
 * @example
 * ```ts
 * const report = await runLogDemo({ records: 20_000, recordBytes: 100 });
 * assert(report.recovery.cleanShutdown);
 * ```
 */
export interface LogDemoReport {
  dir: string;
  records: number;
  /** Bytes of batches in the log. */
  logBytes: number;
  segments: number;
  /** Every file in the partition directory: segments, indexes and checkpoint. */
  diskBytes: number;
  write: PhaseFigures;
  read: PhaseFigures;
  recovery: RecoveryReport;
}

const MIB = 1024 * 1024;
/** Small enough segments that a few million records show rolling and several segments. */
const DEMO_CONFIG = { segmentBytes: 64 * MIB, flush: { everyAppend: false, intervalMs: 1000 } } as const;
const DIGITS = 10;

/**
 * Runs the demonstration, printing each phase through `print`.
 *
 * @example
 * ```ts
 * const report = await runLogDemo({ records: 100_000, recordBytes: 100 });
 * console.log(report.write.recordsPerSec);
 * ```
 * @throws UsageError when `dir` exists and is not an empty directory; Error when a record read back
 * differs from what was written; StorageError or LogCorruptedError from the log.
 */
export async function runLogDemo(
  options: LogDemoOptions,
  print: (line: string) => void = (line) => console.log(line),
): Promise<LogDemoReport> {
  const { records, recordBytes } = options;
  const { dir, temporary } = prepareWorkDir(options.dir, '--dir', 'millrace-log-demo-');
  try {
    print(
      `millrace log-demo: ${records.toLocaleString('en-US')} records of ${recordBytes} B into ${dir}` +
        `${temporary ? ' (temporary)' : ''}`,
    );
    print(
      `  segments of ${DEMO_CONFIG.segmentBytes / MIB} MiB, flush every ${DEMO_CONFIG.flush.intervalMs} ms`,
    );
    const written = await writeRecords(dir, records, recordBytes);
    const write = phase(written.ms, written.bytes, records);
    print(
      `write   ${records.toLocaleString('en-US')} records, ${mb(written.bytes)} in ${written.batches} batch${written.batches === 1 ? '' : 'es'}: ` +
        `${ms(write.ms)} → ${rates(write)}`,
    );
    print(
      `        (appending ${ms(written.appendMs)}, final flush ${ms(written.flushMs)}, the rest building batches)`,
    );
    print(`close   ${ms(written.closeMs)} (indexes and a clean-shutdown checkpoint written)`);

    const openStart = realClock.monotonicMs();
    const log = PartitionLog.open({ dir, clock: realClock, config: DEMO_CONFIG });
    try {
      const recovery = log.recovery;
      print(
        `reopen  ${ms(realClock.monotonicMs() - openStart)}: clean shutdown ${recovery.cleanShutdown ? 'yes' : 'no'}, ` +
          `segments scanned ${recovery.segmentsScanned}, indexes rebuilt ${recovery.indexesRebuilt}, ` +
          `truncated ${recovery.truncatedBytes} B`,
      );
      const got = readAndCheck(log, records, recordBytes);
      const read = phase(got.ms, got.bytes, got.count);
      print(
        `read    ${got.count.toLocaleString('en-US')} records, ${mb(got.bytes)}: ${ms(read.ms)} → ${rates(read)} ` +
          '(every record decoded and checked)',
      );
      print(
        `        first offset 0 value "${preview(got.first)}", last offset ${records - 1} value "${preview(got.last)}"`,
      );
      const disk = dirUsage(dir);
      print(
        `disk    ${log.segmentCount} segment(s), ${mb(log.sizeBytes)} of log; ${mb(disk.bytes)} on disk ` +
          `in ${disk.files} files with indexes and checkpoint`,
      );
      return {
        dir,
        records,
        logBytes: log.sizeBytes,
        segments: log.segmentCount,
        diskBytes: disk.bytes,
        write,
        read,
        recovery,
      };
    } finally {
      await log.close();
    }
  } finally {
    if (temporary) {
      rmSync(dir, { recursive: true, force: true });
      print(`removed ${dir}`);
    }
  }
}

/** Writes `count` records whose values start with their offset in 10 digits; flushes and closes. */
async function writeRecords(dir: string, count: number, recordBytes: number) {
  const clock = realClock;
  const log = PartitionLog.open({ dir, clock, config: DEMO_CONFIG });
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(recordBytes);
  for (let i = DIGITS; i < recordBytes; i++) value[i] = 97 + ((i - DIGITS) % 26);
  const record = { key: null, value, timestamp: clock.nowMs() };
  let bytes = 0;
  let batches = 0;
  let appendMs = 0;
  const start = clock.monotonicMs();
  const appendBatch = async () => {
    const batch = builder.buildView(); // a view: append copies it into the segment synchronously
    const t = clock.monotonicMs();
    bytes += log.append(batch).bytes;
    appendMs += clock.monotonicMs() - t;
    batches++;
    builder.reset();
    record.timestamp = clock.nowMs();
    // Back to the event loop between batches, as a server would: flush timers and syncs proceed.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for (let i = 0; i < count; i++) {
    writeDigits(value, i);
    if (!builder.append(record)) {
      await appendBatch();
      builder.append(record);
    }
  }
  if (builder.recordCount > 0) await appendBatch();
  const flushStart = clock.monotonicMs();
  await log.flush();
  const end = clock.monotonicMs();
  await log.close();
  const closeMs = clock.monotonicMs() - end;
  return { ms: end - start, bytes, batches, appendMs, flushMs: end - flushStart, closeMs };
}

/** Reads the whole log with 1 MiB reads, decoding and checking every record. */
function readAndCheck(log: PartitionLog, expected: number, recordBytes: number) {
  const start = realClock.monotonicMs();
  let offset = log.logStartOffset;
  let count = 0;
  let bytes = 0;
  let first: Uint8Array | null = null;
  let last: Uint8Array | null = null;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, MIB);
    if (r.records.length === 0) throw new Error(`read at offset ${offset} returned nothing`);
    for (const batch of iterateBatches(r.records)) {
      const it = batch.records();
      for (let rec = it.nextRecord(); rec !== undefined; rec = it.nextRecord()) {
        const v = rec.value;
        if (rec.offset !== count || v === null || v.length !== recordBytes || readDigits(v) !== count) {
          throw new Error(`record at offset ${rec.offset} is not the one written as record ${count}`);
        }
        if (count === 0) first = v;
        last = v;
        count++;
      }
    }
    bytes += r.records.length;
    offset = r.nextOffset;
  }
  const elapsed = realClock.monotonicMs() - start;
  if (count !== expected || first === null || last === null) {
    throw new Error(`read back ${count} records, wrote ${expected}`);
  }
  return { ms: elapsed, bytes, count, first, last };
}

function writeDigits(buf: Buffer, n: number): void {
  for (let d = DIGITS - 1; d >= 0; d--) {
    buf[d] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
}

function readDigits(buf: Uint8Array): number {
  let n = 0;
  for (let d = 0; d < DIGITS; d++) n = n * 10 + (buf[d]! - 48);
  return n;
}

function dirUsage(dir: string): { bytes: number; files: number } {
  const names = readdirSync(dir);
  let bytes = 0;
  for (const name of names) bytes += statSync(join(dir, name)).size;
  return { bytes, files: names.length };
}

function phase(elapsedMs: number, bytes: number, records: number): PhaseFigures {
  const seconds = Math.max(elapsedMs, 1e-3) / 1000;
  return { ms: elapsedMs, mbPerSec: bytes / 1e6 / seconds, recordsPerSec: records / seconds };
}

function rates(p: PhaseFigures): string {
  return `${p.mbPerSec.toFixed(0)} MB/s, ${(p.recordsPerSec / 1e6).toFixed(2)} M records/s`;
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function preview(value: Uint8Array): string {
  const text = Buffer.from(value.buffer, value.byteOffset, Math.min(value.length, 24)).toString('latin1');
  return value.length > 24 ? `${text}…` : text;
}
