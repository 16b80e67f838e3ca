import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AggregateSizer, encodeAggregatedRecord, type AggregateInput } from '../../../src/codec/aggregation.ts';
import { deaggregate } from '../../../src/codec/deaggregation.ts';
import { KPL_MAGIC } from '../../../src/codec/kpl-format.ts';
import { bytesField, seal, varint, varintField } from './proto.ts';
import { createSeededRandom as seededRandom } from '../../../src/testing/seeded-random.ts';
import { vectors } from './vectors.ts';

const require = createRequire(import.meta.url);
type AggUserRecord = { partitionKey: string; explicitPartitionKey?: string; data: string };
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: object, checksums: boolean, done: (err: Error | null, records?: AggUserRecord[]) => void): void;
  aggregate(
    records: object[],
    onEncoded: (record: { data: Buffer; partitionKey: string; explicitHashKey?: string }, cb: () => void) => void,
    done: () => void,
    onError: (err: Error) => void,
  ): void;
};

const simple = (r: { partitionKey: string; explicitHashKey?: string; data: Buffer }) => ({
  partitionKey: r.partitionKey,
  explicitHashKey: r.explicitHashKey ?? null,
  data: r.data.toString('base64'),
});

/** A random aggregate, with its key tables built in first-seen order, as the producer does. */
function randomAggregate(random: () => number, count: number) {
  const pks: string[] = [];
  const ehks: string[] = [];
  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  const users: { partitionKey: string; explicitHashKey?: string; data: Buffer }[] = [];
  const records: AggregateInput['records'] = [];
  const pick = (n: number) => Math.floor(random() * n);
  for (let i = 0; i < count; i++) {
    const partitionKey = random() < 0.4 && pks.length ? pks[pick(pks.length)] : ['k', 'ключ-', 'é', '🔑', 'x'.repeat(200)][pick(5)] + pick(1e6);
    const explicitHashKey = random() < 0.3 ? (random() < 0.5 ? String(pick(1e15)) : `ехк-🔑-${pick(100)}`) : undefined;
    const data = Buffer.alloc(random() < 0.02 ? 16383 + pick(2) : [0, 1, 127, 128, 200][pick(5)], pick(256));
    if (!pkIndex.has(partitionKey)) pkIndex.set(partitionKey, pks.push(partitionKey) - 1);
    if (explicitHashKey !== undefined && !ehkIndex.has(explicitHashKey)) ehkIndex.set(explicitHashKey, ehks.push(explicitHashKey) - 1);
    records.push({ partitionKeyIndex: pkIndex.get(partitionKey)!, explicitHashKeyIndex: explicitHashKey === undefined ? undefined : ehkIndex.get(explicitHashKey), data });
    users.push({ partitionKey, explicitHashKey, data });
  }
  return { input: { partitionKeys: pks, explicitHashKeys: ehks, records }, users };
}

describe('KPL aggregation format', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('decodes the vector %s to exactly its user records', (name, vector) => {
    const result = deaggregate(Buffer.from(vector.data, 'base64'), vector.outerPartitionKey);
    expect(result.status).toBe(name === 'kpl_generated_ka_non_agg_rec' ? 'plain' : 'aggregated');
    expect(result.records.map(simple)).toEqual(vector.expectedUserRecords);
    expect(result.records.map((r) => r.subSequenceNumber)).toEqual(vector.expectedUserRecords.map((_, i) => i));
  });

  it('passes a record without the magic through unchanged, as a view of the input', () => {
    const vector = vectors.find((v) => v.name === 'kpl_generated_ka_non_agg_rec')!;
    const data = Uint8Array.from(Buffer.from(vector.data, 'base64'));
    const result = deaggregate(data, 'outer', '42');
    expect(result).toMatchObject({ status: 'plain', records: [{ partitionKey: 'outer', explicitHashKey: '42', subSequenceNumber: 0 }] });
    expect(result.records[0].data.buffer).toBe(data.buffer);
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

  it('round-trips random aggregates (multi-byte keys, 2-byte indices and lengths); records are views of the input', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const { input, users } = randomAggregate(random, 1 + Math.floor(random() * 300));
      const encoded = encodeAggregatedRecord(input);
      const decoded = deaggregate(encoded, 'outer');
      expect(decoded.status).toBe('aggregated');
      expect(decoded.records.map(simple)).toEqual(users.map(simple));
      expect(decoded.records.every((r, i) => r.subSequenceNumber === i && r.data.buffer === encoded.buffer)).toBe(true);
    }
  });

  it('refuses an index outside its key table when encoding (a caller bug)', () => {
    const data = Buffer.from('x');
    expect(() => encodeAggregatedRecord({ partitionKeys: ['a'], explicitHashKeys: [], records: [{ partitionKeyIndex: 1, data }] })).toThrow(RangeError);
    expect(() => encodeAggregatedRecord({ partitionKeys: ['a'], explicitHashKeys: [], records: [{ partitionKeyIndex: 0, explicitHashKeyIndex: 0, data }] })).toThrow(
      /explicitHashKeyIndex is 0, outside its key table of 0/,
    );
    expect(() => encodeAggregatedRecord({ partitionKeys: ['a'], explicitHashKeys: [], records: [{ partitionKeyIndex: 0.5, data }] })).toThrow(RangeError);
    const missing = { partitionKeyIndex: undefined as unknown as number, data };
    expect(() => encodeAggregatedRecord({ partitionKeys: ['a'], explicitHashKeys: [], records: [missing] })).toThrow(/partitionKeyIndex is undefined/);
  });

  it('writes into a buffer of its own, so a worker posting it back copies only its bytes', () => {
    const encoded = encodeAggregatedRecord({ partitionKeys: ['a'], explicitHashKeys: [], records: [{ partitionKeyIndex: 0, data: Buffer.from('x') }] });
    expect(encoded.buffer.byteLength).toBe(encoded.length);
    expect(structuredClone(encoded).buffer.byteLength).toBe(encoded.length);
  });
});

describe('AggregateSizer', () => {
  it('predicts the encoded length exactly, record by record, and sizeWith changes nothing', () => {
    const random = seededRandom(11);
    const sizer = new AggregateSizer();
    for (let trial = 0; trial < 60; trial++) {
      sizer.reset();
      expect([sizer.size, sizer.count]).toEqual([20, 0]);
      const { input, users } = randomAggregate(random, 1 + Math.floor(random() * 300));
      for (let i = 0; i < users.length; i++) {
        const u = users[i];
        const predicted = sizer.sizeWith(u.partitionKey, u.explicitHashKey, u.data.length);
        expect(sizer.sizeWith(u.partitionKey, u.explicitHashKey, u.data.length)).toBe(predicted);
        expect(sizer.count).toBe(i);
        sizer.add(u.partitionKey, u.explicitHashKey, u.data.length);
        expect(sizer.size).toBe(predicted);
      }
      expect(sizer.count).toBe(users.length);
      expect(encodeAggregatedRecord(input).length).toBe(sizer.size);
    }
  });

  it('charges a key only the first time it is seen', () => {
    const sizer = new AggregateSizer();
    sizer.add('ключ', '123', 10);
    const second = sizer.sizeWith('ключ', '123', 10) - sizer.size;
    expect(second).toBe(2 + 2 + 2 + 12); // record key + length, pk index, ehk index, data field
  });
});

describe('interoperability with aws-kinesis-agg', () => {
  it('de-aggregates what we encode into the same user records', () => {
    const { input, users } = randomAggregate(seededRandom(3), 200);
    const encoded = encodeAggregatedRecord(input);
    let out: AggUserRecord[] = [];
    agg.deaggregateSync({ data: encoded.toString('base64'), partitionKey: 'a', sequenceNumber: '1' }, true, (err, userRecords) => {
      expect(err).toBeFalsy();
      out = userRecords!;
    });
    expect(out.map((r) => [r.partitionKey, r.data])).toEqual(users.map((u) => [u.partitionKey, u.data.toString('base64')]));
    // aws-kinesis-agg reads an absent optional index as 0 (its protobuf default), so only the
    // user records that carry an explicit hash key can be compared on it.
    const withKey = users.map((u, i) => [u, out[i]] as const).filter(([u]) => u.explicitHashKey !== undefined);
    expect(withKey.length).toBeGreaterThan(0);
    expect(withKey.every(([u, o]) => o.explicitPartitionKey === u.explicitHashKey)).toBe(true);
  });

  it('aggregates what we de-aggregate into the same user records', async () => {
    const input = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `user-${i % 17}-é`,
      explicitHashKey: i % 5 === 0 ? String(1000 + i) : undefined,
      data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i % 50) })),
    }));
    const encoded: { data: Buffer; partitionKey: string; explicitHashKey?: string }[] = [];
    await new Promise<void>((resolve, reject) =>
      agg.aggregate(input, (record, cb) => (encoded.push(record), cb()), resolve, reject),
    );
    const results = encoded.map((r) => deaggregate(Buffer.from(r.data), r.partitionKey, r.explicitHashKey));
    expect(results.every((r) => r.status === 'aggregated')).toBe(true);
    expect(results.flatMap((r) => r.records).map(simple)).toEqual(input.map(simple));
  });
});

describe('de-aggregation of malformed aggregates', () => {
  const pk = bytesField(1, 'key');
  const ehk = bytesField(2, '77');
  const record = (...fields: Buffer[]) => bytesField(3, Buffer.concat(fields));
  const good = record(varintField(1, 0), bytesField(3, 'data'));

  function expectInvalid(data: Buffer): void {
    const result = deaggregate(data, 'outer', '9');
    expect(result.status).toBe('invalid');
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ partitionKey: 'outer', explicitHashKey: '9', subSequenceNumber: 0 });
    expect(result.records[0].data.equals(data)).toBe(true);
  }

  it('passes through, raw and with the outer keys, a bad MD5 or a record too short to hold one', () => {
    const sealed = seal(Buffer.concat([pk, good]));
    sealed[sealed.length - 1] ^= 1;
    expectInvalid(sealed);
    expectInvalid(Buffer.concat([KPL_MAGIC, Buffer.alloc(15)]));
    expectInvalid(Buffer.from(KPL_MAGIC));
    expect(deaggregate(KPL_MAGIC.subarray(0, 3), 'outer').status).toBe('plain');
  });

  it.each([
    ['no user records', Buffer.concat([pk])],
    ['an empty protobuf', Buffer.alloc(0)],
    ['a partition key index outside the table', Buffer.concat([pk, record(varintField(1, 1), bytesField(3, 'd'))])],
    ['an explicit hash key index outside the table', Buffer.concat([pk, ehk, record(varintField(1, 0), varintField(2, 1), bytesField(3, 'd'))])],
    ['a missing partition key index', Buffer.concat([pk, record(bytesField(3, 'd'))])],
    ['missing data', Buffer.concat([pk, record(varintField(1, 0))])],
    ['a tag without its key', Buffer.concat([pk, record(varintField(1, 0), bytesField(3, 'd'), bytesField(4, bytesField(2, 'v')))])],
    ['a truncated record', Buffer.concat([pk, good]).subarray(0, -2)],
    ['a length past the end', Buffer.concat([pk, Buffer.from([0x1a]), varint(2 ** 40)])],
    ['a varint over ten bytes', Buffer.concat([pk, Buffer.alloc(11, 0xff), Buffer.from([1])])],
    ['an index of 2^53', Buffer.concat([pk, record(varintField(1, 2n ** 53n), bytesField(3, 'd'))])],
    ['field number 0', Buffer.concat([pk, good, Buffer.from([0x02, 0x00])])],
    ['an end-group without a start', Buffer.concat([pk, good, Buffer.from([0x2c])])],
    ['an unterminated group', Buffer.concat([pk, good, Buffer.from([0x2b, 0x08, 0x01])])],
    ['wire type 6', Buffer.concat([pk, good, Buffer.from([0x2e])])],
    ['data sent as a varint (wrong wire type, so data is missing)', Buffer.concat([pk, record(varintField(1, 0), varintField(3, 5))])],
  ])('passes through an aggregate with %s', (_name, body) => {
    expectInvalid(seal(body));
  });

  it('skips unknown fields of every wire type, ignores tags, and accepts tables after the records', () => {
    const unknown = Buffer.concat([
      varintField(9, 300),
      Buffer.from([0x51, 1, 2, 3, 4, 5, 6, 7, 8]), // field 10, fixed64
      Buffer.from([0x5d, 1, 2, 3, 4]), // field 11, fixed32
      bytesField(12, 'skip me'),
      Buffer.from([0x6b, 0x08, 0x01, 0x73, 0x74, 0x6c]), // group 13 holding a varint and an empty group 14
    ]);
    const tag = bytesField(4, Buffer.concat([bytesField(1, 'tag-key'), bytesField(2, 'tag-value'), unknown]));
    const body = Buffer.concat([
      unknown,
      record(unknown, bytesField(3, 'first'), tag, varintField(1, 1), varintField(2, 0)),
      record(varintField(1, 0), bytesField(3, 'second'), tag),
      pk,
      bytesField(1, 'other'),
      ehk,
    ]);
    const result = deaggregate(seal(body), 'outer');
    expect(result.status).toBe('aggregated');
    expect(result.records.map(simple)).toEqual([
      { partitionKey: 'other', explicitHashKey: '77', data: Buffer.from('first').toString('base64') },
      { partitionKey: 'key', explicitHashKey: null, data: Buffer.from('second').toString('base64') },
    ]);
  });
});
