import { describe, expect, it } from 'vitest';
import { IllegalStateError, InvalidRecordError, RecordTooLargeError } from '../../../../src/common/errors.js';
import { NotLeaderOrFollowerError } from '../../../../src/common/kafka-errors.js';
import {
  BufferExhaustedError,
  DeliveryTimeoutError,
} from '../../../../src/log/client/producer/producer-errors.js';
import type { RecordMetadata } from '../../../../src/log/client/producer/producer-types.js';
import { retryBackoffMs } from '../../../../src/log/client/producer/retry-backoff.js';
import { decodeRecords, RecordBatchView } from '../../../../src/log/format/record-batch-decoder.js';
import type { Random } from '../../../../src/runtime/actor/random.js';
import {
  ALL_ONE,
  drainAll,
  FakeBroker,
  idsOf,
  partitionsOf,
  START_MS,
  settle,
  setup,
  track,
  valueWithId,
} from './producer-test-helpers.js';

const retriable = () => new NotLeaderOrFollowerError('t-0');

describe('RecordAccumulator batching', () => {
  it('fills a batch up to batchSize bytes and makes it ready as soon as the next record does not fit', () => {
    const s = setup({ batchSize: 1024, lingerMs: 1000 });
    for (let i = 0; i < 8; i++)
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
    expect(drainAll(s.accumulator)).toEqual([]);
    expect(s.readyCalls()).toBe(0);
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(8) }, ALL_ONE);
    expect(s.readyCalls()).toBe(1);
    const [batch, ...rest] = drainAll(s.accumulator);
    expect(rest).toEqual([]);
    expect(batch!.recordCount).toBe(8);
    // A 100-byte value with a null key frames to 109 bytes: 61 + 8 × 109 = 933, and a ninth would not fit.
    expect(batch!.sizeInBytes).toBe(61 + 8 * 109);
    expect(batch!.sizeInBytes + 109).toBeGreaterThan(1024);
    expect(idsOf(batch!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(batch!.attempts).toBe(1);
  });

  it('releases a partial batch exactly lingerMs after its first record, on the simulated clock', () => {
    const s = setup({ lingerMs: 5 });
    s.clock.advance(3);
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(1) }, ALL_ONE);
    s.clock.advance(2);
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(2) }, ALL_ONE);
    s.clock.advance(2);
    expect(s.readyCalls()).toBe(0);
    expect(drainAll(s.accumulator)).toEqual([]);
    s.clock.advance(1); // 5 ms after the first append
    expect(s.readyCalls()).toBe(1);
    expect(s.clock.nowMs()).toBe(START_MS + 8);
    const [batch] = drainAll(s.accumulator);
    expect(idsOf(batch!)).toEqual([1, 2]);
  });

  it('makes every batch ready at once with lingerMs 0, and one record per batch with batchSize 0', () => {
    const s = setup({ lingerMs: 0 });
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(1) }, ALL_ONE);
    expect(s.readyCalls()).toBe(1);
    expect(drainAll(s.accumulator)).toHaveLength(1);
    const u = setup({ batchSize: 0, lingerMs: 1000 });
    for (let i = 0; i < 3; i++)
      u.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
    const batches = [
      drainAll(u.accumulator, 5),
      drainAll(u.accumulator, 5),
      drainAll(u.accumulator, 5),
    ].flat();
    expect(batches.map(idsOf)).toEqual([[0], [1], [2]]);
  });

  it('passes keys, headers and timestamps through, stamping a missing timestamp with clock.nowMs()', () => {
    const s = setup({ lingerMs: 0 });
    s.clock.advance(42);
    s.accumulator.tryAppend(
      {
        topic: 't',
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        headers: [
          { key: 'trace', value: Buffer.from('abc') },
          { key: 'é', value: null },
        ],
      },
      ALL_ONE,
    );
    s.accumulator.tryAppend({ topic: 't', key: Buffer.from('k'), value: null, timestamp: 7 }, ALL_ONE);
    const [batch] = drainAll(s.accumulator);
    const records = decodeRecords(batch!.bytes);
    expect(records.map((r) => r.timestamp)).toEqual([START_MS + 42, 7]);
    expect(Buffer.from(records[0]!.key!).toString()).toBe('k');
    expect(
      records[0]!.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value).toString()]),
    ).toEqual([
      ['trace', 'abc'],
      ['é', null],
    ]);
    expect(records[1]!.value).toBeNull();
  });

  it('writes gzip batches that the decoder reads back', () => {
    const s = setup({ compressionType: 'gzip', lingerMs: 0 });
    for (let i = 0; i < 50; i++)
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
    const [batch] = drainAll(s.accumulator);
    expect(new RecordBatchView(batch!.bytes).compression).toBe('gzip');
    expect(batch!.bytes.length).toBeLessThan(50 * 100);
    expect(idsOf(batch!)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives a record larger than batchSize a batch of its own, and refuses one over maxRequestSize', () => {
    const s = setup({ batchSize: 1024, lingerMs: 1000, maxRequestSize: 4096 });
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(1, 3000) }, ALL_ONE);
    expect(s.accumulator.bufferedBytes).toBeGreaterThanOrEqual(3061);
    expect(() =>
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(2, 4000) }, ALL_ONE),
    ).toThrow(RecordTooLargeError);
    expect(() =>
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(2, 4000) }, ALL_ONE),
    ).toThrow(/exceeds maxRequestSize 4096/);
  });

  it('refuses a partition outside the topic', () => {
    const s = setup();
    expect(() => s.accumulator.tryAppend({ topic: 't', partition: 3, value: null }, partitionsOf(3))).toThrow(
      InvalidRecordError,
    );
  });

  it('gives each batch bytes of its own that later batches never overwrite', () => {
    const s = setup({ batchSize: 1024, lingerMs: 0 });
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(1) }, ALL_ONE);
    const [first] = drainAll(s.accumulator);
    const copy = Buffer.from(first!.bytes);
    for (let i = 2; i < 50; i++) {
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
      for (const b of drainAll(s.accumulator)) s.accumulator.complete(b, i);
    }
    expect(first!.bytes.equals(copy)).toBe(true);
    expect(first!.bytes.buffer.byteLength).toBe(first!.bytes.length);
  });
});

describe('RecordAccumulator completion', () => {
  it('resolves each record with base offset + its index, its partition and its timestamp', async () => {
    const s = setup({ lingerMs: 5 });
    const sends = [0, 1, 2].map((i) =>
      s.accumulator.send(
        { topic: 't', partition: 2, value: valueWithId(i), timestamp: 1000 + i },
        partitionsOf(3),
      ),
    );
    const unstamped = s.accumulator.send(
      { topic: 't', partition: 2, value: valueWithId(3) },
      partitionsOf(3),
    );
    s.clock.advance(5);
    const [batch] = drainAll(s.accumulator);
    expect(s.accumulator.complete(batch!, 500)).toBe(true);
    const metadata = await Promise.all([...sends, unstamped]);
    expect(metadata).toEqual<RecordMetadata[]>([
      { topic: 't', partition: 2, offset: 500, timestamp: 1000 },
      { topic: 't', partition: 2, offset: 501, timestamp: 1001 },
      { topic: 't', partition: 2, offset: 502, timestamp: 1002 },
      { topic: 't', partition: 2, offset: 503, timestamp: START_MS },
    ]);
    expect(s.accumulator.bufferedBytes).toBe(0);
    expect(s.accumulator.complete(batch!, 500)).toBe(false);
  });

  it('reports offset -1 when acknowledged without an offset (acks 0) and the broker time for LogAppendTime', async () => {
    const s = setup({ lingerMs: 0, acks: 0 });
    const a = s.accumulator.send({ topic: 't', value: null, timestamp: 5 }, ALL_ONE);
    s.accumulator.complete(drainAll(s.accumulator)[0]!, -1);
    expect(await a).toMatchObject({ offset: -1, timestamp: 5 });
    const b = s.accumulator.send({ topic: 't', value: null, timestamp: 5 }, ALL_ONE);
    s.accumulator.complete(drainAll(s.accumulator)[0]!, 10, 99);
    expect(await b).toMatchObject({ offset: 10, timestamp: 99 });
  });

  it('fails every record of a batch that fails with a non-retriable error', async () => {
    const s = setup({ lingerMs: 0 });
    const sends = [0, 1].map((i) =>
      track(s.accumulator.send({ topic: 't', value: valueWithId(i) }, ALL_ONE)),
    );
    const [batch] = drainAll(s.accumulator);
    const error = new InvalidRecordError('compacted topic needs keys');
    expect(s.accumulator.fail(batch!, error)).toBe('failed');
    await settle();
    expect(sends.map((t) => [t.state, t.error])).toEqual([
      ['rejected', error],
      ['rejected', error],
    ]);
    expect(s.accumulator.bufferedBytes).toBe(0);
  });

  it('keeps calling the other callbacks when one throws, and reports what it threw', () => {
    const s = setup({ lingerMs: 0 });
    const calls: number[] = [];
    s.accumulator.tryAppend({ topic: 't', value: null }, ALL_ONE, () => {
      throw new Error('user bug');
    });
    s.accumulator.tryAppend({ topic: 't', value: null }, ALL_ONE, (_e, m) => calls.push(m!.offset));
    s.accumulator.complete(drainAll(s.accumulator)[0]!, 7);
    expect(calls).toEqual([8]);
    expect(s.callbackErrors).toEqual([new Error('user bug')]);
  });

  it('groups drained batches by leader, up to maxRequestBytes per node but always one', () => {
    const s = setup({ batchSize: 1024, lingerMs: 0 });
    for (let p = 0; p < 4; p++) {
      s.accumulator.tryAppend({ topic: 't', partition: p, value: valueWithId(p, 500) }, partitionsOf(4));
    }
    s.accumulator.tryAppend({ topic: 'u', partition: 0, value: valueWithId(9, 500) }, ALL_ONE);
    const leaders = [1, 1, 2, -1];
    const first = s.accumulator.drain({
      leaderOf: (topic, p) => (topic === 'u' ? 3 : leaders[p]!),
      maxRequestBytes: 700,
    });
    const summary = [...first.batchesByNode].map(([node, bs]) => [
      node,
      bs.map((b) => `${b.topic}-${b.partition}`),
    ]);
    expect(summary.sort()).toEqual([
      [1, ['t-0']],
      [2, ['t-2']],
      [3, ['u-0']],
    ]);
    expect([...first.unknownLeaderTopics]).toEqual(['t']);
    const second = s.accumulator.drain({ leaderOf: (_t, p) => leaders[p]!, isNodeReady: (n) => n !== 2 });
    expect([...second.batchesByNode].map(([node, bs]) => [node, bs.map((b) => b.partition)])).toEqual([
      [1, [1]],
    ]);
  });
});

describe('RecordAccumulator back-pressure', () => {
  // batchSize 1024 and bufferMemory 2048: room for exactly two batches.
  const tight = { batchSize: 1024, bufferMemory: 2048, lingerMs: 1000, maxBlockMs: 500 };

  it('makes an append wait while bufferMemory is used and go on when a batch completes', async () => {
    const s = setup(tight);
    expect(
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(0) }, partitionsOf(2)),
    ).toBe(true);
    expect(
      s.accumulator.tryAppend({ topic: 't', partition: 1, value: valueWithId(1) }, partitionsOf(2)),
    ).toBe(true);
    expect(s.accumulator.bufferedBytes).toBe(2048);
    // Partition 0's batch has room: no memory needed.
    expect(
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(2) }, partitionsOf(2)),
    ).toBe(true);
    const blocked = track(s.accumulator.append({ topic: 'u', partition: 0, value: valueWithId(3) }, ALL_ONE));
    await settle();
    expect(blocked.state).toBe('pending');
    expect(s.accumulator.waitingAppends).toBe(1);
    // Waiting appends make everything ready, lingering or not.
    expect(s.readyCalls()).toBe(1);
    const drained = drainAll(s.accumulator);
    expect(drained).toHaveLength(2);
    s.clock.advance(499);
    s.accumulator.complete(drained[0]!, 0);
    await settle();
    expect(blocked.state).toBe('resolved');
    expect(s.accumulator.waitingAppends).toBe(0);
    expect(s.accumulator.bufferedBytes).toBe(2048);
  });

  it('rejects a waiting append with BufferExhaustedError after maxBlockMs, having appended nothing', async () => {
    const s = setup(tight);
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(0) }, partitionsOf(2));
    s.accumulator.tryAppend({ topic: 't', partition: 1, value: valueWithId(1) }, partitionsOf(2));
    const delivered: unknown[] = [];
    const blocked = track(
      s.accumulator.append({ topic: 'u', value: valueWithId(3) }, ALL_ONE, (e) => delivered.push(e)),
    );
    s.clock.advance(499);
    await settle();
    expect(blocked.state).toBe('pending');
    s.clock.advance(1);
    await settle();
    expect(blocked.state).toBe('rejected');
    expect(s.accumulator.waitingAppends).toBe(0);
    expect(blocked.error).toBeInstanceOf(BufferExhaustedError);
    expect((blocked.error as BufferExhaustedError).retriable).toBe(true);
    expect(String((blocked.error as Error).message)).toMatch(/within maxBlockMs 500 \(bufferMemory 2048/);
    void s.accumulator.flush();
    const batches = drainAll(s.accumulator);
    expect(batches.map(idsOf)).toEqual([[0], [1]]);
    for (const b of batches) s.accumulator.complete(b, 0);
    expect(delivered).toEqual([]);
    expect(s.accumulator.bufferedBytes).toBe(0);
    expect(s.accumulator.incompleteBatches).toBe(0);
  });

  it('serves waiting appends first come, first served, and lets nothing overtake them', async () => {
    const s = setup(tight);
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(0) }, partitionsOf(2));
    s.accumulator.tryAppend({ topic: 't', partition: 1, value: valueWithId(1) }, partitionsOf(2));
    const a = track(
      s.accumulator.append({ topic: 't', partition: 0, value: valueWithId(2, 900) }, partitionsOf(2)),
    );
    // Would fit in partition 1's open batch, but must queue behind the waiting append.
    expect(
      s.accumulator.tryAppend({ topic: 't', partition: 1, value: valueWithId(3) }, partitionsOf(2)),
    ).toBe(false);
    const b = track(
      s.accumulator.append({ topic: 't', partition: 1, value: valueWithId(3) }, partitionsOf(2)),
    );
    const [first, second] = drainAll(s.accumulator);
    s.accumulator.complete(first!, 0);
    await settle();
    // The freed batch went to the first waiter; the second waits for the next.
    expect([a.state, b.state]).toEqual(['resolved', 'pending']);
    s.accumulator.complete(second!, 0);
    await settle();
    expect(b.state).toBe('resolved');
    void s.accumulator.flush();
    const rest = drainAll(s.accumulator).sort((x, y) => x.partition - y.partition);
    expect(rest.map((batch) => [batch.partition, idsOf(batch)])).toEqual([
      [0, [2]],
      [1, [3]],
    ]);
  });

  it('rejects at once when maxBlockMs is 0', async () => {
    const s = setup({ ...tight, maxBlockMs: 0 });
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(0) }, partitionsOf(2));
    s.accumulator.tryAppend({ topic: 't', partition: 1, value: valueWithId(1) }, partitionsOf(2));
    await expect(s.accumulator.append({ topic: 'u', value: null }, ALL_ONE)).rejects.toBeInstanceOf(
      BufferExhaustedError,
    );
  });
});

describe('RecordAccumulator retries', () => {
  it('retries a failed batch after its backoff, ahead of the later batches of its partition', () => {
    const s = setup({ batchSize: 1024, lingerMs: 0, retryBackoffMs: 100, retryBackoffMaxMs: 1000 });
    const broker = new FakeBroker();
    for (let i = 0; i < 20; i++)
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
    const [a] = drainAll(s.accumulator, 1);
    expect(idsOf(a!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(drainAll(s.accumulator, 1)).toEqual([]); // one in flight per partition
    expect(s.accumulator.fail(a!, retriable())).toBe('retrying');
    // The first backoff is 100 ms ± 20 %: nothing goes before 80 ms, not even the later batches.
    s.clock.advance(79);
    expect(drainAll(s.accumulator, 1)).toEqual([]);
    s.clock.advance(41);
    const [again] = drainAll(s.accumulator, 1);
    expect(again).toBe(a);
    expect(again!.attempts).toBe(2);
    s.accumulator.complete(again!, broker.produce(again!));
    for (let batch = drainAll(s.accumulator, 1); batch.length > 0; batch = drainAll(s.accumulator, 1)) {
      s.accumulator.complete(batch[0]!, broker.produce(batch[0]!));
    }
    expect(broker.log('t', 0)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('puts several failed in-flight batches back in the order they were created', () => {
    const s = setup({ batchSize: 1024, lingerMs: 0, retryBackoffMs: 10 });
    for (let i = 0; i < 24; i++)
      s.accumulator.tryAppend({ topic: 't', partition: 0, value: valueWithId(i) }, ALL_ONE);
    const [a] = drainAll(s.accumulator);
    const [b] = drainAll(s.accumulator);
    // b fails first, then a: they must still go a, b.
    s.accumulator.fail(b!, retriable());
    s.accumulator.fail(a!, retriable());
    s.clock.advance(100);
    const order = [drainAll(s.accumulator, 1), drainAll(s.accumulator, 1)].flat();
    expect(order).toEqual([a]);
    s.accumulator.complete(a!, 0);
    expect(drainAll(s.accumulator, 1)).toEqual([b]);
  });

  it('fails a batch with its last error once retries are used up', async () => {
    const s = setup({
      lingerMs: 0,
      retries: 2,
      retryBackoffMs: 10,
      retryBackoffMaxMs: 10,
      enableIdempotence: false,
    });
    const sent = track(s.accumulator.send({ topic: 't', value: null }, ALL_ONE));
    const last = retriable();
    for (const expected of ['retrying', 'retrying', 'failed'] as const) {
      s.clock.advance(20);
      const [batch] = drainAll(s.accumulator);
      expect(s.accumulator.fail(batch!, expected === 'failed' ? last : retriable())).toBe(expected);
    }
    await settle();
    expect(sent.error).toBe(last);
  });

  it('backs off exponentially with ±20 % jitter, up to retryBackoffMaxMs', () => {
    const fixed = (f: number): Random => ({ nextFloat: () => f, nextUint32: () => 0, nextInt: (a) => a });
    expect([0, 1, 2, 3, 4, 10].map((n) => retryBackoffMs(n, 100, 1000, fixed(0.5)))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(retryBackoffMs(0, 100, 1000, fixed(0))).toBe(80);
    expect(retryBackoffMs(0, 100, 1000, fixed(0.999999))).toBe(119);
    expect(retryBackoffMs(3, 100, 1000, fixed(0.999999))).toBe(959);
    expect(retryBackoffMs(0, 2000, 1000, fixed(0.5))).toBe(1000);
    expect(retryBackoffMs(2000, 100, 1000, fixed(0.5))).toBe(1000);
  });
});

describe('RecordAccumulator delivery timeout', () => {
  const quick = { lingerMs: 5, requestTimeoutMs: 100, deliveryTimeoutMs: 1000, retryBackoffMs: 50 };

  it('fails the records of a batch that could not be sent within deliveryTimeoutMs', async () => {
    const s = setup(quick);
    const sent = track(s.accumulator.send({ topic: 't', value: null }, ALL_ONE));
    s.clock.advance(5);
    const noLeader = s.accumulator.drain({ leaderOf: () => -1 });
    expect([...noLeader.unknownLeaderTopics]).toEqual(['t']);
    s.clock.advance(994);
    await settle();
    expect(sent.state).toBe('pending');
    s.clock.advance(1); // the accumulator's own timer expires it, with no drain needed
    await settle();
    expect(sent.error).toBeInstanceOf(DeliveryTimeoutError);
    expect((sent.error as Error).message).toMatch(/expiring 1 record\(s\) for t-0: 1000 ms/);
    expect(s.accumulator.bufferedBytes).toBe(0);
    expect(s.accumulator.incompleteBatches).toBe(0);
  });

  it('stops retrying once deliveryTimeoutMs has passed, failing with a DeliveryTimeoutError caused by the last error', async () => {
    const s = setup(quick);
    const sent = track(s.accumulator.send({ topic: 't', value: null }, ALL_ONE));
    s.clock.advance(5);
    const [batch] = drainAll(s.accumulator);
    s.clock.advance(995);
    const error = retriable();
    expect(s.accumulator.fail(batch!, error)).toBe('failed');
    await settle();
    expect(sent.error).toBeInstanceOf(DeliveryTimeoutError);
    expect((sent.error as Error).cause).toBe(error);
  });

  it('expires a batch waiting out a retry backoff, with the send error as its cause', async () => {
    const s = setup({ ...quick, retryBackoffMs: 5000, retryBackoffMaxMs: 5000 });
    const sent = track(s.accumulator.send({ topic: 't', value: null }, ALL_ONE));
    s.clock.advance(5);
    const [batch] = drainAll(s.accumulator);
    const error = retriable();
    expect(s.accumulator.fail(batch!, error)).toBe('retrying');
    s.clock.advance(995);
    await settle();
    expect(sent.error).toBeInstanceOf(DeliveryTimeoutError);
    expect((sent.error as Error).cause).toBe(error);
    expect(s.accumulator.fail(batch!, error)).toBe('ignored');
  });
});

describe('RecordAccumulator flush, close and abort', () => {
  it('flush makes lingering batches ready and resolves once they are done', async () => {
    const s = setup({ lingerMs: 10_000 });
    s.accumulator.tryAppend({ topic: 't', partition: 0, value: null }, partitionsOf(2));
    s.accumulator.tryAppend({ topic: 't', partition: 1, value: null }, partitionsOf(2));
    const flushed = track(s.accumulator.flush());
    expect(s.readyCalls()).toBe(1);
    const batches = drainAll(s.accumulator);
    expect(batches).toHaveLength(2);
    s.accumulator.complete(batches[0]!, 0);
    await settle();
    expect(flushed.state).toBe('pending');
    s.accumulator.fail(batches[1]!, new InvalidRecordError('no'));
    await settle();
    expect(flushed.state).toBe('resolved');
    await expect(s.accumulator.flush()).resolves.toBeUndefined();
  });

  it('close refuses new appends, rejects waiting ones and resolves when every batch is done', async () => {
    const s = setup({ batchSize: 1024, bufferMemory: 1024, lingerMs: 10_000 });
    s.accumulator.tryAppend({ topic: 't', value: null }, ALL_ONE);
    const waiting = track(s.accumulator.append({ topic: 'u', value: null }, ALL_ONE));
    const closed = track(s.accumulator.close());
    await settle();
    expect(waiting.error).toBeInstanceOf(IllegalStateError);
    expect(() => s.accumulator.tryAppend({ topic: 't', value: null }, ALL_ONE)).toThrow(/producer is closed/);
    await expect(s.accumulator.append({ topic: 't', value: null }, ALL_ONE)).rejects.toBeInstanceOf(
      IllegalStateError,
    );
    const [batch] = drainAll(s.accumulator);
    expect(closed.state).toBe('pending');
    s.accumulator.complete(batch!, 0);
    await settle();
    expect(closed.state).toBe('resolved');
  });

  it('abort fails queued and in-flight records alike and ignores later outcomes', async () => {
    const s = setup({ lingerMs: 0 });
    const a = track(s.accumulator.send({ topic: 't', partition: 0, value: null }, partitionsOf(2)));
    const [inFlight] = drainAll(s.accumulator);
    const b = track(s.accumulator.send({ topic: 't', partition: 1, value: null }, partitionsOf(2)));
    const error = new IllegalStateError('shutting down');
    s.accumulator.abort(error);
    await settle();
    expect([a.error, b.error]).toEqual([error, error]);
    expect(s.accumulator.complete(inFlight!, 0)).toBe(false);
    expect(s.accumulator.fail(inFlight!, retriable())).toBe('ignored');
    expect(s.accumulator.bufferedBytes).toBe(0);
    expect(drainAll(s.accumulator)).toEqual([]);
  });
});
