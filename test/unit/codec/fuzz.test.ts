import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deaggregate, encodeAggregatedRecord, KPL_MAGIC } from '../../../src/codec/aggregation.ts';
import { seededRandom } from './seeded.ts';

function randomBytes(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

/** Re-seals a mutated protobuf body with magic and a correct MD5, so the parser itself is exercised. */
function seal(body: Buffer): Buffer {
  return Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
}

function check(data: Buffer): void {
  const result = deaggregate(data, 'outer');
  expect(['plain', 'aggregated', 'invalid']).toContain(result.status);
  if (result.status === 'aggregated') {
    for (const record of result.records) {
      expect(typeof record.partitionKey).toBe('string');
      expect(record.data.length).toBeLessThanOrEqual(data.length);
    }
  } else {
    expect(result.records).toHaveLength(1);
    expect(result.records[0].data.equals(data)).toBe(true);
  }
}

describe('de-aggregation of hostile bytes', () => {
  const random = seededRandom(1234);
  const valid = encodeAggregatedRecord({
    partitionKeys: ['alpha', 'beta'],
    explicitHashKeys: ['340282366920938463463374607431768211455'],
    records: Array.from({ length: 20 }, (_, i) => ({ partitionKeyIndex: i % 2, explicitHashKeyIndex: i % 3 ? undefined : 0, data: Buffer.from(`record ${i}`) })),
  });
  const body = valid.subarray(4, valid.length - 16);

  it('never throws on random bytes, with or without the magic', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 200));
      check(bytes);
      check(Buffer.concat([KPL_MAGIC, bytes]));
      check(seal(bytes));
    }
  });

  it('never throws on mutated valid aggregates (flips, truncations, extensions) with the MD5 recomputed', () => {
    let aggregated = 0;
    let invalid = 0;
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(body);
      const kind = i % 3;
      let candidate: Buffer;
      if (kind === 0) {
        for (let f = 0; f < 1 + Math.floor(random() * 4); f++) mutated[Math.floor(random() * mutated.length)] ^= 1 << Math.floor(random() * 8);
        candidate = mutated;
      } else if (kind === 1) {
        candidate = mutated.subarray(0, Math.floor(random() * mutated.length));
      } else {
        candidate = Buffer.concat([mutated, randomBytes(random, 1 + Math.floor(random() * 20))]);
      }
      const sealed = seal(candidate);
      check(sealed);
      check(Buffer.from(sealed.subarray(0, Math.floor(random() * sealed.length))));
      const status = deaggregate(sealed, 'outer').status;
      if (status === 'aggregated') aggregated++;
      if (status === 'invalid') invalid++;
    }
    expect(invalid).toBeGreaterThan(0);
    expect(aggregated).toBeGreaterThan(0);
  });

  it('refuses huge declared lengths without allocating them', () => {
    // field 3, length varint of 2^40: far beyond the buffer
    const body = Buffer.from([0x1a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01]);
    expect(deaggregate(seal(body), 'outer').status).toBe('invalid');
    // a varint longer than ten bytes
    expect(deaggregate(seal(Buffer.alloc(20, 0xff)), 'outer').status).toBe('invalid');
  });
});
