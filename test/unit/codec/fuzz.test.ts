import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { deaggregate } from '../../../src/codec/deaggregation.ts';
import { KPL_MAGIC } from '../../../src/codec/kpl-format.ts';
import { seal } from './proto.ts';
import { createSeededRandom as seededRandom } from '../../../src/testing/seeded-random.ts';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: object, checksums: boolean, done: (err: Error | null, records?: { partitionKey: string; data: string }[]) => void): void;
};

const random = seededRandom(1234);
const pick = (n: number) => Math.floor(random() * n);

function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = pick(256);
  return b;
}

const stats = { plain: 0, aggregated: 0, invalid: 0 };

/** Decodes hostile bytes and checks what must hold whatever they are; returns the status. */
function check(data: Buffer): 'plain' | 'aggregated' | 'invalid' {
  const result = deaggregate(data, 'outer', '5');
  stats[result.status]++;
  const magic = data.length >= 4 && data.subarray(0, 4).equals(KPL_MAGIC);
  if (result.status === 'aggregated') {
    expect(magic).toBe(true);
    expect(result.records.length).toBeGreaterThan(0);
    for (let i = 0; i < result.records.length; i++) {
      const r = result.records[i];
      if (r.subSequenceNumber !== i || typeof r.partitionKey !== 'string') expect.unreachable(`bad record ${i}`);
      const offset = r.data.byteOffset - data.byteOffset;
      if (r.data.buffer !== data.buffer || offset < 4 || offset + r.data.length > data.length - 16) expect.unreachable('data outside the input');
    }
  } else {
    expect(result.status).toBe(magic ? 'invalid' : 'plain');
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ partitionKey: 'outer', explicitHashKey: '5', subSequenceNumber: 0 });
    expect(result.records[0].data.equals(data)).toBe(true);
  }
  return result.status;
}

/**
 * Where both accept an aggregate, the reference decoder (protobufjs inside) must read the same
 * user records. It may refuse what we accept: its decoder ignores the wire type of known field
 * numbers, where protobuf-java (the KCL) and we skip such a field as unknown.
 */
function agreesWithReference(data: Buffer): boolean {
  const ours = deaggregate(data, 'outer').records.map((r) => [r.partitionKey, r.data.toString('base64')]);
  let compared = false;
  agg.deaggregateSync({ data: data.toString('base64'), partitionKey: 'outer', sequenceNumber: '1' }, true, (err, records) => {
    if (err) return;
    expect(records!.map((r) => [r.partitionKey, r.data])).toEqual(ours);
    compared = true;
  });
  return compared;
}

function mutate(body: Buffer): Buffer {
  switch (pick(5)) {
    case 0: {
      const flipped = Buffer.from(body);
      for (let f = 1 + pick(4); f > 0; f--) flipped[pick(flipped.length)] ^= 1 << pick(8);
      return flipped;
    }
    case 1:
      return body.subarray(0, pick(body.length));
    case 2:
      return Buffer.concat([body, randomBytes(1 + pick(20))]);
    case 3: {
      // Duplicate or move a slice: keeps plausible structure while breaking lengths.
      const a = pick(body.length);
      const b = a + pick(body.length - a);
      const at = pick(body.length);
      return Buffer.concat([body.subarray(0, at), body.subarray(a, b), body.subarray(at)]);
    }
    default: {
      const changed = Buffer.from(body);
      changed[pick(changed.length)] = [0x00, 0x7f, 0x80, 0xff, 0x08, 0x10, 0x1a, 0x22, 0x0b, 0x0c][pick(10)];
      return changed;
    }
  }
}

describe('de-aggregation of hostile bytes', () => {
  const valid = encodeAggregatedRecord({
    partitionKeys: ['alpha', 'β-ключ'],
    explicitHashKeys: ['340282366920938463463374607431768211455', '0'],
    records: Array.from({ length: 12 }, (_, i) => ({ partitionKeyIndex: i % 2, explicitHashKeyIndex: i % 3 === 2 ? undefined : i % 3, data: Buffer.from(`record ${i}`) })),
  });
  const body = valid.subarray(4, valid.length - 16);

  it('never throws on random bytes, alone, after the magic, or sealed with a correct MD5', () => {
    for (let i = 0; i < 1500; i++) {
      const bytes = randomBytes(pick(120));
      check(bytes);
      check(Buffer.concat([KPL_MAGIC, bytes]));
      check(seal(bytes));
    }
  });

  it('never throws on mutated valid aggregates resealed with a correct MD5, and agrees with aws-kinesis-agg when it accepts', () => {
    let accepted = 0;
    let compared = 0;
    for (let i = 0; i < 4000; i++) {
      let candidate = mutate(body);
      if (random() < 0.3) candidate = mutate(candidate);
      const sealed = seal(candidate);
      if (check(sealed) === 'aggregated') {
        accepted++;
        if (accepted % 4 === 0 && agreesWithReference(sealed)) compared++;
      }
      check(sealed.subarray(0, pick(sealed.length)));
    }
    expect(stats.invalid).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(300);
    expect(compared).toBeGreaterThan(50);
  });
});
