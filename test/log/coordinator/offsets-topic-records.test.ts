import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../src/common/errors.js';
import {
  javaStringHashCode,
  kafkaAbs,
  partitionForGroup,
} from '../../../src/log/coordinator/group-partition.js';
import { replayOffsetsTopic } from '../../../src/log/coordinator/group-replay.js';
import { KafkaWriter } from '../../../src/log/coordinator/kafka-binary.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  groupMetadataKey,
  offsetCommitKey,
} from '../../../src/log/coordinator/offsets-topic-records.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the partition of a group', () => {
  it('uses Java’s String.hashCode, including overflow and surrogate pairs', () => {
    const vectors: [string, number][] = [
      ['', 0],
      ['a', 97],
      ['abc', 96354],
      ['hello', 99162322],
      ['hello world', 1794106052],
      ['Aa', 2112],
      ['BB', 2112],
      ['polygenelubricants', -2147483648],
      ['\u{1F600}', 1772899],
      ['groupé', -1237460406],
      ['orders-app', 772757305],
    ];
    for (const [s, h] of vectors) expect(javaStringHashCode(s), JSON.stringify(s)).toBe(h);
  });

  it('takes Kafka’s Utils.abs, which maps -2^31 to 0, modulo the partition count', () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-7)).toBe(7);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('groupé', 50)).toBe(6);
    expect(partitionForGroup('hello world', 50)).toBe(2);
    expect(partitionForGroup('orders-app', 50)).toBe(5);
    expect(() => partitionForGroup('g', 0)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), fc.integer({ min: 1, max: 1000 }), (g, n) => {
        const p = partitionForGroup(g, n);
        return Number.isInteger(p) && p >= 0 && p < n;
      }),
    );
  });
});

describe('__consumer_offsets records', () => {
  it('encodes keys in Kafka’s schemas, byte for byte', () => {
    // version 1 | "g" | "t" | partition 1
    expect(hex(offsetCommitKey('g', 't', 1))).toBe('0001' + '000167' + '000174' + '00000001');
    // version 2 | "g"
    expect(hex(groupMetadataKey('g'))).toBe('0002' + '000167');
    expect(decodeOffsetsTopicKey(offsetCommitKey('g', 't', 1))).toEqual({
      kind: 'offset',
      groupId: 'g',
      topic: 't',
      partition: 1,
    });
    expect(decodeOffsetsTopicKey(groupMetadataKey('g'))).toEqual({ kind: 'group', groupId: 'g' });
    expect(() => decodeOffsetsTopicKey(Buffer.from('0003000167', 'hex'))).toThrow(CorruptRecordError);
    expect(() => decodeOffsetsTopicKey(Buffer.from('00010005', 'hex'))).toThrow(CorruptRecordError);
  });

  it('encodes an offset commit as OffsetCommitValue v3 and reads v0 and v1 too', () => {
    const value = { offset: 258, leaderEpoch: -1, metadata: 'm', commitTimestampMs: 1 };
    // version 3 | offset 258 | leader epoch -1 | "m" | commit timestamp 1
    expect(hex(encodeOffsetCommitValue(value))).toBe(
      '0003' + '0000000000000102' + 'ffffffff' + '00016d' + '0000000000000001',
    );
    expect(decodeOffsetCommitValue(encodeOffsetCommitValue(value))).toEqual(value);
    const v0 = new KafkaWriter().int16(0).int64(5).string('x').int64(9).finish();
    expect(decodeOffsetCommitValue(v0)).toEqual({
      offset: 5,
      leaderEpoch: -1,
      metadata: 'x',
      commitTimestampMs: 9,
    });
    const v1 = new KafkaWriter().int16(1).int64(5).string('x').int64(9).int64(99).finish();
    expect(decodeOffsetCommitValue(v1)).toEqual({
      offset: 5,
      leaderEpoch: -1,
      metadata: 'x',
      commitTimestampMs: 9,
    });
    expect(() => decodeOffsetCommitValue(Buffer.from('0004', 'hex'))).toThrow(CorruptRecordError);
  });

  it('encodes a group as GroupMetadataValue v3 and reads v0 too', () => {
    const group: GroupMetadataValue = {
      protocolType: 'consumer',
      generationId: 1,
      protocolName: 'range',
      leaderId: 'm',
      currentStateTimestampMs: 2,
      members: [
        {
          memberId: 'm',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: 'h',
          rebalanceTimeoutMs: 30_000,
          sessionTimeoutMs: 10_000,
          subscription: Uint8Array.of(1),
          assignment: new Uint8Array(0),
        },
      ],
    };
    const expected =
      '0003' + // version
      '0008' +
      Buffer.from('consumer').toString('hex') +
      '00000001' + // generation
      '0005' +
      Buffer.from('range').toString('hex') +
      '00016d' + // leader "m"
      '0000000000000002' + // current state timestamp
      '00000001' + // one member
      '00016d' + // member id "m"
      'ffff' + // no group instance id
      '000163' + // client id "c"
      '000168' + // client host "h"
      '00007530' + // rebalance timeout 30000
      '00002710' + // session timeout 10000
      '0000000101' + // subscription [1]
      '00000000'; // empty assignment
    expect(hex(encodeGroupMetadataValue(group))).toBe(expected);
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(group))).toEqual(group);
    const v0 = new KafkaWriter()
      .int16(0)
      .string('consumer')
      .int32(4)
      .nullableString('range')
      .nullableString('m')
      .array([0], (_, w) =>
        w.string('m').string('c').string('h').int32(6000).bytes(Uint8Array.of(1)).bytes(Uint8Array.of(2)),
      )
      .finish();
    expect(decodeGroupMetadataValue(v0)).toEqual({
      protocolType: 'consumer',
      generationId: 4,
      protocolName: 'range',
      leaderId: 'm',
      currentStateTimestampMs: -1,
      members: [
        {
          memberId: 'm',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: 'h',
          rebalanceTimeoutMs: 6000,
          sessionTimeoutMs: 6000,
          subscription: Uint8Array.of(1),
          assignment: Uint8Array.of(2),
        },
      ],
    });
  });

  it('replays to the newest value of each key, with tombstones deleting', () => {
    const commit = (group: string, partition: number, offset: number) => ({
      key: offsetCommitKey(group, 't', partition),
      value: encodeOffsetCommitValue({ offset, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }),
    });
    const meta = (group: string, generationId: number) => ({
      key: groupMetadataKey(group),
      value: encodeGroupMetadataValue({
        protocolType: 'consumer',
        generationId,
        protocolName: null,
        leaderId: null,
        currentStateTimestampMs: 0,
        members: [],
      }),
    });
    const groups = replayOffsetsTopic([
      meta('a', 1),
      commit('a', 0, 10),
      commit('a', 0, 11),
      commit('a', 1, 5),
      meta('a', 2),
      { key: offsetCommitKey('a', 't', 1), value: null },
      meta('gone', 1),
      commit('gone', 0, 1),
      { key: groupMetadataKey('gone'), value: null },
      { key: offsetCommitKey('gone', 't', 0), value: null },
      commit('offsets-only', 3, 7),
    ]);
    expect([...groups.keys()].sort()).toEqual(['a', 'offsets-only']);
    expect(groups.get('a')!.metadata?.generationId).toBe(2);
    expect([...groups.get('a')!.offsets.get('t')!].map(([p, v]) => [p, v.offset])).toEqual([[0, 11]]);
    expect(groups.get('offsets-only')!.metadata).toBeNull();
  });
});
