/**
 * What a partition remembers about one idempotent or transactional producer (Kafka's
 * ProducerStateEntry): its epoch, the sequence ranges and offsets of its last five batches (enough
 * to recognise any retry of the up to five requests a producer may have in flight), when it last
 * wrote, the coordinator epoch of its last transaction marker, and where its ongoing transaction
 * began.
 *
 * The batch metadata lives in one fixed array used as a ring, so recording a batch allocates
 * nothing: the produce path touches it once per batch.
 */

/** How many recent batches are kept per producer: Kafka's max.in.flight.requests.per.connection limit for idempotence. */
export const BATCHES_TO_KEEP = 5;
/** Kafka's NO_SEQUENCE: a batch outside the idempotent sequence (a coordinator's transactional offsets). */
export const NO_SEQUENCE = -1;
const MAX_SEQUENCE = 0x7fffffff;
/** Fields per batch in the ring: firstSeq, lastSeq, firstOffset, lastOffset. */
const FIELDS = 4;

/**
 * The last sequence of a batch: sequences are int32 and wrap to 0 after 2^31 - 1, as Kafka's do.
 *
 * @example
 * ```ts
 * lastSequenceOf(0x7ffffffe, 2); // 0
 * ```
 */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > MAX_SEQUENCE - lastOffsetDelta
    ? lastOffsetDelta - (MAX_SEQUENCE - baseSequence) - 1
    : baseSequence + lastOffsetDelta;
}

/**
 * The sequence that must follow `lastSequence`.
 *
 * @example
 * ```ts
 * nextSequence(0x7fffffff); // 0
 * ```
 */
export function nextSequence(lastSequence: number): number {
  return lastSequence === MAX_SEQUENCE ? 0 : lastSequence + 1;
}

/**
 * One remembered batch of a producer.
 *
 * @example
 * ```ts
 * const meta: ProducerBatchMetadata = { firstSeq: 0, lastSeq: 9, firstOffset: 100, lastOffset: 109 };
 * ```
 */
export interface ProducerBatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

/**
 * The state of one producer id on one partition.
 *
 * @example
 * ```ts
 * const entry = new ProducerStateEntry(7, 0);
 * entry.addBatch(0, 4, 100, 104);
 * entry.findDuplicate(0, 4); // 0: the slot of the batch, whose offsets are firstOffsetAt(0)..lastOffsetAt(0)
 * ```
 */
export class ProducerStateEntry {
  readonly producerId: number;
  epoch: number;
  /** The coordinator epoch of the last transaction marker, -1 before any. */
  coordinatorEpoch = -1;
  /** When this replica last saw a write (batch or marker) of the producer, on its clock. */
  lastTimestamp = -1;
  /** The first offset of the producer's ongoing transaction, -1 if none is open. */
  currentTxnFirstOffset = -1;
  private readonly ring = new Array<number>(BATCHES_TO_KEEP * FIELDS).fill(0);
  /** Slot of the oldest batch kept. */
  private head = 0;
  private count = 0;

  constructor(producerId: number, epoch: number) {
    this.producerId = producerId;
    this.epoch = epoch;
  }

  /** How many batches are remembered (0 to 5). */
  get batchCount(): number {
    return this.count;
  }

  /** The last sequence written, or NO_SEQUENCE if no batch is remembered. */
  get lastSeq(): number {
    return this.count === 0 ? NO_SEQUENCE : this.field(this.count - 1, 1);
  }

  /** The last offset written by a remembered batch, or -1. */
  get lastDataOffset(): number {
    return this.count === 0 ? -1 : this.field(this.count - 1, 3);
  }

  /** Remembers a batch, forgetting the oldest when five are already kept. */
  addBatch(firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number): void {
    let slot: number;
    if (this.count < BATCHES_TO_KEEP) {
      slot = (this.head + this.count) % BATCHES_TO_KEEP;
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % BATCHES_TO_KEEP;
    }
    const i = slot * FIELDS;
    this.ring[i] = firstSeq;
    this.ring[i + 1] = lastSeq;
    this.ring[i + 2] = firstOffset;
    this.ring[i + 3] = lastOffset;
  }

  /** Forgets every batch: a new epoch starts its sequences at 0. */
  clearBatches(): void {
    this.head = 0;
    this.count = 0;
  }

  /**
   * The index (0 = oldest) of the remembered batch with exactly this sequence range, or -1: a
   * producer's retry of a batch already written.
   */
  findDuplicate(firstSeq: number, lastSeq: number): number {
    for (let n = 0; n < this.count; n++) {
      if (this.field(n, 0) === firstSeq && this.field(n, 1) === lastSeq) return n;
    }
    return -1;
  }

  /** The first offset of the n-th remembered batch (0 = oldest). */
  firstOffsetAt(n: number): number {
    return this.field(n, 2);
  }

  /** The last offset of the n-th remembered batch (0 = oldest). */
  lastOffsetAt(n: number): number {
    return this.field(n, 3);
  }

  /** The remembered batches, oldest first (for snapshots and tests; allocates). */
  batches(): ProducerBatchMetadata[] {
    const out: ProducerBatchMetadata[] = [];
    for (let n = 0; n < this.count; n++) {
      out.push({
        firstSeq: this.field(n, 0),
        lastSeq: this.field(n, 1),
        firstOffset: this.field(n, 2),
        lastOffset: this.field(n, 3),
      });
    }
    return out;
  }

  private field(n: number, f: number): number {
    return this.ring[((this.head + n) % BATCHES_TO_KEEP) * FIELDS + f]!;
  }
}
