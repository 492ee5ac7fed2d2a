/**
 * The checks of `millrace eos-demo`: the numbered records it produces, reading a topic back at
 * read_committed with a Consumer, comparing output with input per partition, and comparing each
 * partition's last stable offset with its high watermark (equal once no transaction is open).
 */
import { MillraceError } from '../common/errors.js';
import { Consumer } from '../log/client/consumer/consumer.js';
import type { EmbeddedLogClient } from '../log/client/embedded-log-client.js';
import type { Clock } from '../runtime/actor/clock.js';
import { retrying } from './retrying.js';

/** Digits of the record number at the start of each value. */
const DIGITS = 10;
/** Bytes of each value: the number, then letters, as log-demo's records. */
export const EOS_RECORD_BYTES = 100;

/**
 * The value of record `n`: its number in 10 digits, then letters up to 100 bytes.
 *
 * @example
 * ```ts
 * numberedValue(42).toString('latin1').slice(0, 12); // '0000000042ab'
 * ```
 */
export function numberedValue(n: number): Buffer {
  const value = Buffer.alloc(EOS_RECORD_BYTES);
  let rest = n;
  for (let d = DIGITS - 1; d >= 0; d--) {
    value[d] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  for (let i = DIGITS; i < EOS_RECORD_BYTES; i++) value[i] = 97 + ((i - DIGITS) % 26);
  return value;
}

/**
 * The copy is not exactly the input: records lost, doubled, reordered or changed.
 *
 * @example
 * ```ts
 * throw new VerificationFailedError(['output-1 has 99 records, input-1 has 100']);
 * ```
 */
export class VerificationFailedError extends MillraceError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('VERIFICATION_FAILED', `verification failed: ${problems.join('; ')}`, false);
    this.problems = problems;
  }
}

/**
 * One partition's end offsets: the high watermark and the last stable offset.
 *
 * @example
 * ```ts
 * const ends: PartitionEnds = { topic: 'output', partition: 0, highWatermark: 1000, lastStableOffset: 1000 };
 * ```
 */
export interface PartitionEnds {
  topic: string;
  partition: number;
  highWatermark: number;
  lastStableOffset: number;
}

/**
 * The high watermark and last stable offset of each partition of `topic`.
 *
 * @example
 * ```ts
 * const ends = await partitionEnds(client, realClock, 'output', 3);
 * ```
 * @throws the client's error when a leader does not answer within about 5 s.
 */
export async function partitionEnds(
  client: EmbeddedLogClient,
  clock: Clock,
  topic: string,
  partitions: number,
): Promise<PartitionEnds[]> {
  const out: PartitionEnds[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const hw = await retrying(clock, () => client.listOffset(topic, partition, -1));
    const lso = await retrying(clock, () => client.listOffset(topic, partition, -1, 'read_committed'));
    out.push({ topic, partition, highWatermark: hw.offset, lastStableOffset: lso.offset });
  }
  return out;
}

/**
 * Reads every committed record of `topic` with a read_committed Consumer, per partition in offset
 * order, as latin1 strings of the values.
 *
 * @example
 * ```ts
 * const [p0, p1, p2] = await readCommitted(client, realClock, 'output', 3);
 * ```
 * @throws VerificationFailedError when the reading makes no progress for `stallMs`.
 */
export async function readCommitted(
  client: EmbeddedLogClient,
  clock: Clock,
  topic: string,
  partitions: number,
  stallMs = 20_000,
): Promise<string[][]> {
  const ends = (await partitionEnds(client, clock, topic, partitions)).map((e) => e.lastStableOffset);
  const tps = ends.map((_, partition) => ({ topic, partition }));
  const consumer = new Consumer(client, clock, {
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
    maxPollRecords: 100_000,
  });
  const values: string[][] = ends.map(() => []);
  try {
    consumer.assign(tps);
    let lastProgressMs = clock.monotonicMs();
    while (tps.some((tp) => (consumer.position(tp) ?? 0) < ends[tp.partition]!)) {
      const polled = await consumer.poll(200);
      if (polled.count > 0) lastProgressMs = clock.monotonicMs();
      else if (clock.monotonicMs() - lastProgressMs > stallMs) {
        throw new VerificationFailedError([`reading ${topic} back made no progress for ${stallMs} ms`]);
      }
      for (const records of polled.partitions.values()) {
        for (const r of records) {
          if (r.offset >= ends[r.partition]!) break;
          values[r.partition]!.push(r.value === null ? '' : Buffer.from(r.value).toString('latin1'));
        }
      }
    }
  } finally {
    await consumer.close();
  }
  return values;
}

/**
 * Compares what was read back: input-p must hold records p, p + P, p + 2P … of `records` in order
 * (P partitions), and output-p exactly what input-p holds. Returns the problems found, none when
 * the copy is exact.
 *
 * @example
 * ```ts
 * const problems = compareCopy(input, output, 300_000);
 * if (problems.length > 0) throw new VerificationFailedError(problems);
 * ```
 */
export function compareCopy(
  input: readonly (readonly string[])[],
  output: readonly (readonly string[])[],
  records: number,
): string[] {
  const problems: string[] = [];
  const partitions = input.length;
  for (let p = 0; p < partitions; p++) {
    const inp = input[p]!;
    const out = output[p] ?? [];
    const expected = Math.ceil((records - p) / partitions);
    if (inp.length !== expected) problems.push(`input-${p} holds ${inp.length} records, not ${expected}`);
    const wrongInput = inp.findIndex((v, i) => v !== numberedValue(p + i * partitions).toString('latin1'));
    if (wrongInput >= 0) {
      problems.push(
        `input-${p} offset ${wrongInput} holds record ${v10(inp[wrongInput]!)}, not ${p + wrongInput * partitions}`,
      );
    }
    const firstDiff = inp.findIndex((v, i) => out[i] !== v);
    if (out.length !== inp.length || firstDiff >= 0) {
      const at = firstDiff >= 0 ? firstDiff : Math.min(inp.length, out.length);
      problems.push(
        `output-${p} holds ${out.length} records, input-${p} ${inp.length}; first difference at offset ${at} ` +
          `(output ${show(out[at])}, input ${show(inp[at])})`,
      );
    }
  }
  return problems;
}

const v10 = (value: string) => value.slice(0, DIGITS);
const show = (value: string | undefined) => (value === undefined ? 'nothing' : `record ${v10(value)}`);
