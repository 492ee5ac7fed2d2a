/**
 * A broker's supply of producer ids: blocks handed out by the controller (which records the next
 * free id durably, so no id is ever handed out twice), used up one id at a time, the next block
 * asked for before this one runs out (Kafka's RPCProducerIdManager, KIP-730). Without an id at
 * hand a request is answered COORDINATOR_LOAD_IN_PROGRESS, which the producer retries.
 */
import { CoordinatorLoadInProgressError } from '../../../common/kafka-errors.js';

/**
 * A block of producer ids: `firstProducerId` up to, not including, `firstProducerId + count`.
 *
 * @example
 * ```ts
 * const block: ProducerIdBlock = { firstProducerId: 3000, count: 1000 };
 * ```
 */
export interface ProducerIdBlock {
  readonly firstProducerId: number;
  readonly count: number;
}

/**
 * Where transitions take fresh producer ids from.
 *
 * @example
 * ```ts
 * const source: ProducerIdSource = { allocate: () => next++ };
 * ```
 */
export interface ProducerIdSource {
  /** @throws CoordinatorLoadInProgressError while no id is at hand (retriable). */
  allocate(): number;
}

/**
 * The blocks of one broker.
 *
 * @example
 * ```ts
 * const blocks = new ProducerIdBlocks(() => askControllerForABlock());
 * blocks.add({ firstProducerId: 0, count: 1000 });
 * const id = blocks.allocate(); // 0
 * ```
 */
export class ProducerIdBlocks implements ProducerIdSource {
  private next = 0;
  private end = 0;
  private readonly queued: ProducerIdBlock[] = [];
  private requesting = false;

  /**
   * @param requestBlock asks the controller for a block; its answer comes back through `add`,
   *   its failure through `requestFailed`.
   * @param prefetchBelow how few ids may remain before the next block is asked for.
   */
  constructor(
    private readonly requestBlock: () => void,
    private readonly prefetchBelow = 100,
  ) {}

  /** Ids at hand, in this block and the ones queued. */
  get remaining(): number {
    return this.end - this.next + this.queued.reduce((n, b) => n + b.count, 0);
  }

  /** Whether a block has been asked for and not answered yet. */
  get requestInFlight(): boolean {
    return this.requesting;
  }

  /**
   * The next id, asking for another block when few remain.
   *
   * @throws CoordinatorLoadInProgressError when no id is at hand: the next block is on its way.
   */
  allocate(): number {
    while (this.next >= this.end && this.queued.length > 0) {
      const block = this.queued.shift()!;
      this.next = block.firstProducerId;
      this.end = block.firstProducerId + block.count;
    }
    if (this.next >= this.end) {
      this.prefetch();
      throw new CoordinatorLoadInProgressError(
        'this broker is waiting for a block of producer ids from the controller',
      );
    }
    const id = this.next++;
    this.prefetch();
    return id;
  }

  /** Asks for the next block if few ids remain and none is on its way. */
  prefetch(): void {
    if (this.requesting || this.remaining >= this.prefetchBelow) return;
    this.requesting = true;
    this.requestBlock();
  }

  /**
   * Takes a block from the controller (also a late answer to a request given up on: its ids are
   * this broker's all the same).
   *
   * @throws RangeError for a block that is not a non-negative start and a positive count.
   */
  add(block: ProducerIdBlock): void {
    const { firstProducerId, count } = block;
    if (
      !Number.isSafeInteger(firstProducerId) ||
      firstProducerId < 0 ||
      !Number.isSafeInteger(count) ||
      count < 1
    ) {
      throw new RangeError(`not a block of producer ids: ${JSON.stringify(block)}`);
    }
    this.queued.push({ firstProducerId, count });
    this.requesting = false;
  }

  /** The request for a block failed or went unanswered: the next need asks again. */
  requestFailed(): void {
    this.requesting = false;
  }
}
