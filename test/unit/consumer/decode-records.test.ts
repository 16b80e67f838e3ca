import { describe, expect, it } from 'vitest';
import type { KinesisRecord } from '../../../src/kinesis/kinesis-api.ts';
import { decodeBatches, newDecodeCounts, type DecodeCounts, type DecodeHooks, type DecodeLimits, type ExtendedSequenceNumber } from '../../../src/consumer/decode-records.ts';
import type { OutsideShardAggregate } from '../../../src/consumer/decode-records.ts';
import type { ShardHashRange } from '../../../src/consumer/shard-hash-range.ts';
import type { KinesisActorsError } from '../../../src/errors.ts';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { encodeEnvelope } from '../../../src/codec/envelope.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { hashKeyOf } from '../../../src/codec/hash-key.ts';

const counts = newDecodeCounts;
const MiB = 1024 * 1024;
const limits: DecodeLimits = { maxInflatedBytes: MiB, maxUserRecordsPerAggregate: 200_000, maxUserRecordsPerBatch: 10_000, maxInflatedBytesPerBatch: 32 * MiB };

/** Every batch of one read, flattened. */
function decodeRecords(
  shardId: string,
  records: KinesisRecord[],
  maxInflatedBytes: number,
  after: ExtendedSequenceNumber | undefined,
  c: DecodeCounts,
  range?: ShardHashRange,
  hooks?: DecodeHooks,
) {
  return [...decodeBatches({ shardId, records, after, range }, { ...limits, maxInflatedBytes }, c, hooks)].flat();
}

function kinesisRecord(sequenceNumber: string, data: Uint8Array, partitionKey = 'a'): KinesisRecord {
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

  it('hands a read over in batches of at most maxUserRecordsPerBatch, decoding each only when the one before is taken', () => {
    const big = encodeAggregatedRecord({
      partitionKeys: ['k'],
      explicitHashKeys: [],
      records: Array.from({ length: 25 }, (_, i) => ({ partitionKeyIndex: 0, data: Buffer.from(`u${i}`) })),
    });
    const c = counts();
    const batches = decodeBatches(
      { shardId: 's', records: [kinesisRecord('1', Buffer.from('p')), kinesisRecord('2', big), kinesisRecord('3', encodeEnvelope(big))] },
      { ...limits, maxUserRecordsPerBatch: 10 },
      c,
    );
    const first = batches.next();
    expect(first.done).toBe(false);
    expect(c).toMatchObject({ kinesisRecords: 2, userRecords: 10 });
    const rest = [...batches];
    expect([first.value as unknown[], ...rest].map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 1]);
    const all = [first.value!, ...rest].flat();
    expect(all.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`)).toEqual([
      '1/0',
      ...Array.from({ length: 25 }, (_, i) => `2/${i}`),
      ...Array.from({ length: 25 }, (_, i) => `3/${i}`),
    ]);
    expect(c).toMatchObject({ kinesisRecords: 3, userRecords: 51 });
    // a restart inside the aggregate resumes right after the checkpoint, in the same batch sizes
    const resumed = [...decodeBatches({ shardId: 's', records: [kinesisRecord('2', big)], after: { sequenceNumber: '2', subSequenceNumber: 13 } }, { ...limits, maxUserRecordsPerBatch: 10 }, counts())];
    expect(resumed.map((b) => b.map((r) => r.subSequenceNumber))).toEqual([[14, 15, 16, 17, 18, 19, 20, 21, 22, 23], [24]]);
  });

  it('cuts a batch before an envelope that would take it past maxInflatedBytesPerBatch, never splitting one', () => {
    const envelope = encodeEnvelope(Buffer.alloc(400 * 1024));
    const records = Array.from({ length: 5 }, (_, i) => kinesisRecord(String(i + 1), envelope));
    const c = counts();
    const batches = decodeBatches({ shardId: 's', records }, { ...limits, maxInflatedBytesPerBatch: MiB }, c);
    const first = batches.next().value!;
    expect(first.map((r) => r.data.length)).toEqual([400 * 1024, 400 * 1024]);
    // the third envelope is not inflated until the first batch is handed over
    expect(c.kinesisRecords).toBe(3);
    expect([...batches].map((b) => b.length)).toEqual([2, 1]);
    // envelopes as large as a batch may be go one by one; plain records cost no inflated bytes
    const records2 = [kinesisRecord('1', Buffer.from('p')), kinesisRecord('2', envelope), kinesisRecord('3', envelope), kinesisRecord('4', Buffer.from('q'))];
    const alone = [...decodeBatches({ shardId: 's', records: records2 }, { ...limits, maxInflatedBytes: 400 * 1024, maxInflatedBytesPerBatch: 400 * 1024 }, counts())];
    expect(alone.map((b) => b.map((r) => r.sequenceNumber))).toEqual([['1', '2'], ['3', '4']]);
  });

  it('passes an aggregate over maxUserRecordsPerAggregate through raw, as one record, and counts it', () => {
    const over = encodeAggregatedRecord({ partitionKeys: ['k'], explicitHashKeys: [], records: Array.from({ length: 11 }, () => ({ partitionKeyIndex: 0, data: Buffer.alloc(0) })) });
    const atLimit = encodeAggregatedRecord({ partitionKeys: ['k'], explicitHashKeys: [], records: Array.from({ length: 10 }, () => ({ partitionKeyIndex: 0, data: Buffer.alloc(0) })) });
    const manyKeys = encodeAggregatedRecord({
      partitionKeys: Array.from({ length: 11 }, (_, i) => `k${i}`),
      explicitHashKeys: [],
      records: [{ partitionKeyIndex: 0, data: Buffer.from('x') }],
    });
    const envelope = encodeEnvelope(over);
    const c = counts();
    const bad: [string, string][] = [];
    const records = [kinesisRecord('1', over, 'outer'), kinesisRecord('2', atLimit), kinesisRecord('3', manyKeys, 'outer'), kinesisRecord('4', envelope, 'outer')];
    const out = [...decodeBatches({ shardId: 's', records }, { ...limits, maxUserRecordsPerAggregate: 10 }, c, { onBadRecord: (sequenceNumber, error) => bad.push([sequenceNumber, (error as KinesisActorsError).code]) })].flat();
    expect(out.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`)).toEqual(['1/0', ...Array.from({ length: 10 }, (_, i) => `2/${i}`), '3/0', '4/0']);
    expect(out[0].data.equals(over)).toBe(true);
    expect(out[0].partitionKey).toBe('outer');
    // from an envelope, the raw record is the aggregate it held, as for an invalid one
    expect(out.at(-1)!.data.equals(over)).toBe(true);
    expect(bad).toEqual([['1', 'AGGREGATE_LIMIT_EXCEEDED'], ['3', 'AGGREGATE_LIMIT_EXCEEDED'], ['4', 'AGGREGATE_LIMIT_EXCEEDED']]);
    expect(c).toMatchObject({ kinesisRecords: 4, userRecords: 13, oversizedAggregates: 3, invalidAggregates: 0 });
  });

  it('reports an aggregate that fails its checks with a typed error, and passes it through raw', () => {
    const broken = Buffer.from(aggregate);
    broken[broken.length - 1] ^= 0xff;
    const c = counts();
    const codes: string[] = [];
    const out = decodeRecords('s', [kinesisRecord('1', broken)], MiB, undefined, c, undefined, { onBadRecord: (_, error) => codes.push((error as KinesisActorsError).code) });
    expect(out.map((r) => r.data.equals(broken))).toEqual([true]);
    expect(codes).toEqual(['INVALID_AGGREGATE']);
    expect(c.invalidAggregates).toBe(1);
  });
});
