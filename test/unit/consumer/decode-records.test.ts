import { describe, expect, it } from 'vitest';
import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeRecords, type DecodeCounts, type OutsideShardAggregate } from '../../../src/consumer/decode-records.ts';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { encodeEnvelope } from '../../../src/codec/envelope.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { hashKeyOf } from '../../../src/codec/hash-key.ts';

const counts = (): DecodeCounts => ({ kinesisRecords: 0, userRecords: 0, invalidAggregates: 0, badEnvelopes: 0, aggregatesOutsideShard: 0, userRecordsOutsideShard: 0 });

function kinesisRecord(sequenceNumber: string, data: Uint8Array, partitionKey = 'a'): _Record {
  return { SequenceNumber: sequenceNumber, Data: data, PartitionKey: partitionKey, ApproximateArrivalTimestamp: new Date(1000) };
}

const keys = ['alpha', 'beta', 'gamma', 'delta'];
const aggregate = encodeAggregatedRecord({
  partitionKeys: keys,
  explicitHashKeys: [],
  records: keys.map((_, i) => ({ partitionKeyIndex: i, data: Buffer.from(`r${i}`) })),
});

describe('decodeRecords', () => {
  it('de-aggregates and decompresses, with sub-sequence numbers and arrival time', () => {
    const c = counts();
    const out = decodeRecords('shard-0', [kinesisRecord('10', encodeEnvelope(aggregate)), kinesisRecord('11', Buffer.from('plain'), 'p')], 1 << 20, undefined, c);
    expect(out.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.partitionKey, r.data.toString()])).toEqual([
      ['10', 0, 'alpha', 'r0'],
      ['10', 1, 'beta', 'r1'],
      ['10', 2, 'gamma', 'r2'],
      ['10', 3, 'delta', 'r3'],
      ['11', 0, 'p', 'plain'],
    ]);
    expect(out[0].approximateArrivalTimestamp.getTime()).toBe(1000);
    expect(c).toMatchObject({ kinesisRecords: 2, userRecords: 5 });
  });

  it('skips what is at or before the checkpoint, inside an aggregate too', () => {
    const out = decodeRecords('s', [kinesisRecord('9', Buffer.from('x')), kinesisRecord('10', aggregate)], 1 << 20, { sequenceNumber: '10', subSequenceNumber: 1 }, counts());
    expect(out.map((r) => r.subSequenceNumber)).toEqual([2, 3]);
  });

  it('drops an aggregate whole when the shard does not own one of its user records, as the KCL does, and counts it', () => {
    const cache = new HashKeyCache();
    const sorted = keys.map((k) => hashKeyOf(k)).sort((a, b) => (a < b ? -1 : 1));
    const c = counts();
    const dropped: OutsideShardAggregate[] = [];
    // The shard owns all but the highest hash key: the three in range go with the fourth.
    const range = { start: 0n, end: sorted[2], hashKeys: cache };
    const out = decodeRecords('s', [kinesisRecord('1', aggregate), kinesisRecord('2', Buffer.from('x'), 'p')], 1 << 20, undefined, c, range, {
      onOutsideShard: (d) => dropped.push(d),
    });
    expect(out.map((r) => r.sequenceNumber)).toEqual(['2']);
    expect(c).toMatchObject({ kinesisRecords: 2, userRecords: 1, aggregatesOutsideShard: 1, userRecordsOutsideShard: 4 });
    expect(dropped).toEqual([{ sequenceNumber: '1', userRecords: 4, outside: 1 }]);

    // the same aggregate, read from a shard owning every key in it, is kept whole
    const kept = decodeRecords('s', [kinesisRecord('1', aggregate)], 1 << 20, undefined, counts(), { start: sorted[0], end: sorted[3], hashKeys: cache });
    expect(kept.map((r) => r.partitionKey)).toEqual(keys);
    // a plain record is never filtered: it is where Kinesis put it
    const plain = decodeRecords('s', [kinesisRecord('2', Buffer.from('x'), 'gamma')], 1 << 20, undefined, counts(), { start: 0n, end: 0n, hashKeys: cache });
    expect(plain).toHaveLength(1);
  });

  it('decides on the whole aggregate even when a restart resumes inside it', () => {
    const cache = new HashKeyCache();
    const sorted = keys.map((k) => hashKeyOf(k)).sort((a, b) => (a < b ? -1 : 1));
    const c = counts();
    const out = decodeRecords('s', [kinesisRecord('10', aggregate)], 1 << 20, { sequenceNumber: '10', subSequenceNumber: 2 }, c, { start: sorted[1], end: sorted[3], hashKeys: cache });
    expect(out).toEqual([]);
    expect(c.aggregatesOutsideShard).toBe(1);
  });

  it('counts an explicit hash key that is not a decimal as outside the shard instead of throwing', () => {
    const odd = encodeAggregatedRecord({
      partitionKeys: ['k'],
      explicitHashKeys: ['not-a-number'],
      records: [{ partitionKeyIndex: 0, explicitHashKeyIndex: 0, data: Buffer.from('d') }],
    });
    const c = counts();
    const out = decodeRecords('s', [kinesisRecord('1', odd)], 1 << 20, undefined, c, { start: 0n, end: 2n ** 128n - 1n, hashKeys: new HashKeyCache() });
    expect(out).toEqual([]);
    expect(c.aggregatesOutsideShard).toBe(1);
  });
});
