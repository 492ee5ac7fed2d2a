import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/common/kafka-errors.js';
import {
  type ConsumerSubscription,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../../src/log/client/assignors/consumer-protocol.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const T = Buffer.from('t').toString('hex'); // 74

const sub = (over: Partial<ConsumerSubscription> = {}): ConsumerSubscription => ({
  topics: ['t'],
  userData: null,
  ownedPartitions: [],
  generationId: -1,
  rackId: null,
  ...over,
});

describe('ConsumerProtocol subscriptions', () => {
  it('are Kafka’s bytes in every version', () => {
    // version 0 | topics ["t"] | userData null
    expect(hex(encodeSubscription(sub(), 0))).toBe(`0000 00000001 0001${T} ffffffff`.replace(/ /g, ''));
    const owned = sub({
      ownedPartitions: [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 2 },
      ],
      generationId: 5,
      rackId: 'r',
    });
    // version 1 | topics | userData | owned: [("t", [0, 2])]
    const v1 = `0001 00000001 0001${T} ffffffff 00000001 0001${T} 00000002 00000000 00000002`;
    expect(hex(encodeSubscription(owned, 1))).toBe(v1.replace(/ /g, ''));
    // version 3 adds generation 5 and rack "r"
    const v3 = `0003${v1.slice(4)} 00000005 000172`;
    expect(hex(encodeSubscription(owned))).toBe(v3.replace(/ /g, ''));
    expect(decodeSubscription(encodeSubscription(owned))).toEqual({ ...owned, version: 3 });
    // A reader drops what an older version lacks.
    expect(decodeSubscription(encodeSubscription(owned, 1))).toEqual({
      ...owned,
      generationId: -1,
      rackId: null,
      version: 1,
    });
  });

  it('read a newer version as the newest known and ignore what follows', () => {
    const v3 = encodeSubscription(sub({ generationId: 2 }));
    const v9 = Buffer.concat([Buffer.from('0009', 'hex'), v3.subarray(2), Buffer.from('cafe', 'hex')]);
    expect(decodeSubscription(v9)).toMatchObject({ version: 9, topics: ['t'], generationId: 2 });
  });

  it('refuse malformed bytes with a typed error', () => {
    for (const bad of [
      '',
      '00',
      'ffff',
      '0000 00000005 0001'.replace(/ /g, ''),
      '0000 00000001 0009 74'.replace(/ /g, ''),
    ]) {
      expect(() => decodeSubscription(Buffer.from(bad, 'hex')), bad).toThrow(InvalidRequestError);
    }
  });

  it('round-trip any subscription', () => {
    const tp = fc.record({
      topic: fc.string({ maxLength: 8 }),
      partition: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 10 })),
        fc.option(fc.uint8Array({ maxLength: 20 })),
        fc.array(tp, { maxLength: 10 }),
        fc.integer({ min: -1, max: 1000 }),
        fc.option(fc.string()),
        (topics, userData, owned, generationId, rackId) => {
          const s = sub({ topics, userData, ownedPartitions: owned, generationId, rackId });
          const back = decodeSubscription(encodeSubscription(s));
          // Owned partitions come back grouped by topic, topics in order of first appearance.
          const grouped = [...new Set(owned.map((p) => p.topic))].flatMap((t) =>
            owned.filter((p) => p.topic === t),
          );
          expect(back).toEqual({ ...s, ownedPartitions: grouped, version: 3 });
        },
      ),
    );
  });
});

describe('ConsumerProtocol assignments', () => {
  it('are Kafka’s bytes, and an empty array is an empty assignment', () => {
    const a = { partitions: [{ topic: 't', partition: 1 }], userData: Uint8Array.of(7) };
    // version 0 | [("t", [1])] | userData [7]
    expect(hex(encodeAssignment(a, 0))).toBe(
      `0000 00000001 0001${T} 00000001 00000001 00000001 07`.replace(/ /g, ''),
    );
    expect(decodeAssignment(encodeAssignment(a))).toEqual({ ...a, version: 3 });
    expect(decodeAssignment(new Uint8Array(0))).toEqual({ version: 0, partitions: [], userData: null });
    expect(() => encodeAssignment(a, 4)).toThrow(RangeError);
  });
});
