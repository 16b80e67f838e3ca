import { describe, expect, it } from 'vitest';
import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeRecords, type DecodeCounts } from '../../../src/consumer/decode-records.ts';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { encodeEnvelope } from '../../../src/codec/envelope.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { hashKeyOf } from '../../../src/codec/hash-key.ts';

const counts = (): DecodeCounts => ({ kinesisRecords: 0, userRecords: 0, invalidAggregates: 0, badEnvelopes: 0, outsideShard: 0 });

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

  it('drops aggregated user records whose hash key the shard does not own, and counts them', () => {
    const cache = new HashKeyCache();
    const mid = hashKeyOf('beta');
    const c = counts();
    const out = decodeRecords('s', [kinesisRecord('1', aggregate)], 1 << 20, undefined, c, undefined, { start: 0n, end: mid, hashKeys: cache });
    const kept = keys.filter((k) => hashKeyOf(k) <= mid);
    expect(out.map((r) => r.partitionKey)).toEqual(kept);
    expect(c.outsideShard).toBe(keys.length - kept.length);
    // a plain record is never filtered: it is where Kinesis put it
    const plain = decodeRecords('s', [kinesisRecord('2', Buffer.from('x'), 'gamma')], 1 << 20, undefined, counts(), undefined, { start: 0n, end: 0n, hashKeys: cache });
    expect(plain).toHaveLength(1);
  });
});
