import { describe, expect, it } from 'vitest';
import { CoordinatorLoadInProgressError } from '../../../../src/common/kafka-errors.js';
import { ProducerIdBlocks } from '../../../../src/log/coordinator/transaction/producer-id-blocks.js';

describe('a broker’s producer-id blocks', () => {
  it('hands out each id of its blocks once, in order, moving to the next block when one is used up', () => {
    let requests = 0;
    const blocks = new ProducerIdBlocks(() => requests++, 2);
    blocks.add({ firstProducerId: 10, count: 3 });
    blocks.add({ firstProducerId: 50, count: 2 });
    const ids = Array.from({ length: 5 }, () => blocks.allocate());
    expect(ids).toEqual([10, 11, 12, 50, 51]);
    expect(blocks.remaining).toBe(0);
    expect(requests).toBe(1);
  });

  it('asks for the next block once few ids remain, and only once until it is answered', () => {
    let requests = 0;
    const blocks = new ProducerIdBlocks(() => requests++, 3);
    blocks.add({ firstProducerId: 0, count: 5 });
    blocks.allocate();
    blocks.allocate();
    expect(requests).toBe(0);
    blocks.allocate();
    blocks.allocate();
    expect(requests).toBe(1);
    expect(blocks.requestInFlight).toBe(true);
    blocks.requestFailed();
    blocks.allocate();
    expect(requests).toBe(2);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS without ids, having asked for a block', () => {
    let requests = 0;
    const blocks = new ProducerIdBlocks(() => requests++);
    expect(() => blocks.allocate()).toThrow(CoordinatorLoadInProgressError);
    expect(requests).toBe(1);
    expect(() => blocks.allocate()).toThrow(CoordinatorLoadInProgressError);
    expect(requests).toBe(1);
    blocks.add({ firstProducerId: 1000, count: 1000 });
    expect(blocks.allocate()).toBe(1000);
  });

  it('refuses a block that is not one', () => {
    const blocks = new ProducerIdBlocks(() => undefined);
    expect(() => blocks.add({ firstProducerId: -1, count: 10 })).toThrow(RangeError);
    expect(() => blocks.add({ firstProducerId: 0, count: 0 })).toThrow(RangeError);
  });
});
