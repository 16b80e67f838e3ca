import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AggregateSizer, deaggregate, encodeAggregatedRecord, type AggregateInput } from '../../../src/codec/aggregation.ts';
import { vectors } from './vectors.ts';
import { seededRandom } from './seeded.ts';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: object, checksums: boolean, done: (err: Error | null, records?: { partitionKey: string; explicitPartitionKey?: string; data: string }[]) => void): void;
  aggregate(records: object[], onEncoded: (record: { data: Buffer; partitionKey: string; explicitHashKey?: string }, cb: () => void) => void, done: () => void, onError: (err: Error) => void): void;
};

describe('KPL aggregation format', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('decodes the vector %s to exactly its user records', (_name, vector) => {
    const result = deaggregate(Buffer.from(vector.data, 'base64'), vector.outerPartitionKey);
    expect(result.records.map((r) => ({ partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey ?? null, data: r.data.toString('base64') }))).toEqual(
      vector.expectedUserRecords,
    );
    expect(result.records.map((r) => r.subSequenceNumber)).toEqual(vector.expectedUserRecords.map((_, i) => (result.status === 'aggregated' ? i : 0)));
    expect(result.status).toBe(vector.name === 'kpl_generated_ka_non_agg_rec' ? 'plain' : 'aggregated');
  });

  it('reproduces java_aggregator_multirecord byte for byte', () => {
    const vector = vectors.find((v) => v.name === 'java_aggregator_multirecord')!;
    const input: AggregateInput = {
      partitionKeys: ['abc'],
      explicitHashKeys: [vector.expectedUserRecords[0].explicitHashKey!],
      records: vector.expectedUserRecords.map((r) => ({ partitionKeyIndex: 0, explicitHashKeyIndex: 0, data: Buffer.from(r.data, 'base64') })),
    };
    expect(encodeAggregatedRecord(input).toString('base64')).toBe(vector.data);
  });

  it('round-trips random aggregates, multi-byte keys included, and the sizer is exact', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const sizer = new AggregateSizer();
      const pks: string[] = [];
      const ehks: string[] = [];
      const records: AggregateInput['records'] = [];
      const expected: { pk: string; ehk?: string; data: Buffer }[] = [];
      const count = 1 + Math.floor(random() * 40);
      for (let i = 0; i < count; i++) {
        const pk = random() < 0.3 && pks.length ? pks[Math.floor(random() * pks.length)] : `ключ-${Math.floor(random() * 1e6)}-é`;
        const ehk = random() < 0.3 ? String(Math.floor(random() * 1e15)) : undefined;
        const data = Buffer.alloc(Math.floor(random() * 300), i);
        const predicted = sizer.sizeWith(pk, ehk, data.length);
        sizer.add(pk, ehk, data.length);
        expect(sizer.size).toBe(predicted);
        let pkIndex = pks.indexOf(pk);
        if (pkIndex < 0) pkIndex = pks.push(pk) - 1;
        let ehkIndex: number | undefined;
        if (ehk !== undefined) {
          ehkIndex = ehks.indexOf(ehk);
          if (ehkIndex < 0) ehkIndex = ehks.push(ehk) - 1;
        }
        records.push({ partitionKeyIndex: pkIndex, explicitHashKeyIndex: ehkIndex, data });
        expected.push({ pk, ehk, data });
      }
      const encoded = encodeAggregatedRecord({ partitionKeys: pks, explicitHashKeys: ehks, records });
      expect(encoded.length).toBe(sizer.size);
      expect(sizer.count).toBe(count);
      const decoded = deaggregate(encoded, 'a');
      expect(decoded.status).toBe('aggregated');
      expect(decoded.records.map((r) => ({ pk: r.partitionKey, ehk: r.explicitHashKey, data: r.data }))).toEqual(expected);
    }
  });

  it('is read by aws-kinesis-agg: it de-aggregates what we encode', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ partitionKeyIndex: i % 3, explicitHashKeyIndex: i % 2 ? 0 : undefined, data: Buffer.from(`{"n":${i}}`) }));
    const encoded = encodeAggregatedRecord({ partitionKeys: ['p0', 'p1', 'p2'], explicitHashKeys: ['12345'], records });
    let out: { partitionKey: string; explicitPartitionKey?: string; data: string }[] = [];
    agg.deaggregateSync({ data: encoded.toString('base64'), partitionKey: 'a', sequenceNumber: '1' }, true, (err, userRecords) => {
      expect(err).toBeFalsy();
      out = userRecords!;
    });
    expect(out.map((r) => [r.partitionKey, Buffer.from(r.data, 'base64').toString()])).toEqual(records.map((_, i) => [`p${i % 3}`, `{"n":${i}}`]));
    // aws-kinesis-agg reads an absent optional index as 0 (its protobuf default), so only the
    // records that carry an explicit hash key can be compared on it.
    expect(out.filter((_, i) => i % 2).every((r) => r.explicitPartitionKey === '12345')).toBe(true);
  });

  it('reads aws-kinesis-agg: we de-aggregate what it aggregates', async () => {
    const input = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `user-${i % 17}`,
      explicitHashKey: i % 5 === 0 ? String(1000 + i) : undefined,
      data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i % 50) })),
    }));
    const encoded: { data: Buffer; partitionKey: string; explicitHashKey?: string }[] = [];
    await new Promise<void>((resolve, reject) =>
      agg.aggregate(
        input,
        (record, cb) => {
          encoded.push(record);
          cb();
        },
        resolve,
        reject,
      ),
    );
    const decoded = encoded.flatMap((r) => deaggregate(Buffer.from(r.data), r.partitionKey, r.explicitHashKey).records);
    expect(decoded.map((r) => [r.partitionKey, r.explicitHashKey, r.data.toString()])).toEqual(
      input.map((r) => [r.partitionKey, r.explicitHashKey, r.data.toString()]),
    );
  });

  it('passes a record with the magic but a bad MD5 through raw, as the KCL does', () => {
    const encoded = encodeAggregatedRecord({ partitionKeys: ['k'], explicitHashKeys: [], records: [{ partitionKeyIndex: 0, data: Buffer.from('x') }, { partitionKeyIndex: 0, data: Buffer.from('y') }] });
    encoded[encoded.length - 1] ^= 0xff;
    const result = deaggregate(encoded, 'outer', '77');
    expect(result.status).toBe('invalid');
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ partitionKey: 'outer', explicitHashKey: '77', subSequenceNumber: 0 });
    expect(result.records[0].data.equals(encoded)).toBe(true);
  });
});
