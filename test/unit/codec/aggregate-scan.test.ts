import { describe, expect, it } from 'vitest';
import { AggregateCursor, scanAggregate } from '../../../src/codec/aggregate-scan.ts';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { bytesField, seal, varintField } from './proto.ts';

function aggregateOf(userRecords: number, keys = 1): Buffer {
  return encodeAggregatedRecord({
    partitionKeys: Array.from({ length: keys }, (_, i) => `k${i}`),
    explicitHashKeys: ['42'],
    records: Array.from({ length: userRecords }, (_, i) => ({ partitionKeyIndex: i % keys, explicitHashKeyIndex: i % 2 === 0 ? 0 : undefined, data: Buffer.from(`d${i}`) })),
  });
}

function walk(data: Buffer): string[] {
  const scan = scanAggregate(data);
  if (scan.status !== 'aggregated') throw new Error(scan.status);
  const cursor = new AggregateCursor(scan.aggregate);
  const out: string[] = [];
  while (cursor.next()) out.push(`${cursor.subSequenceNumber}:${cursor.partitionKey}:${cursor.explicitHashKey ?? '-'}:${cursor.data().toString()}`);
  return out;
}

describe('scanAggregate and AggregateCursor', () => {
  it('checks an aggregate whole, then walks its user records in order as views of the input', () => {
    const data = aggregateOf(5, 2);
    expect(walk(data)).toEqual(['0:k0:42:d0', '1:k1:-:d1', '2:k0:42:d2', '3:k1:-:d3', '4:k0:42:d4']);
    const scan = scanAggregate(data);
    expect(scan.status === 'aggregated' && scan.aggregate.userRecords).toBe(5);
  });

  it('walks user records past key tables written between and after them', () => {
    const record = (data: string) => bytesField(3, Buffer.concat([varintField(1, 0), bytesField(3, data)]));
    const body = Buffer.concat([record('a'), bytesField(1, 'late'), record('b'), bytesField(99, 'unknown')]);
    expect(walk(seal(body))).toEqual(['0:late:-:a', '1:late:-:b']);
  });

  it('stops at the limit of user records, or of keys in one table, without reading further', () => {
    expect(scanAggregate(aggregateOf(10), 10).status).toBe('aggregated');
    expect(scanAggregate(aggregateOf(11), 10).status).toBe('tooManyUserRecords');
    expect(scanAggregate(aggregateOf(1, 11), 10).status).toBe('tooManyUserRecords');
    // the rest after the limit is not read: a truncated tail past it does not matter
    const body = Buffer.concat([...Array.from({ length: 11 }, () => bytesField(3, Buffer.concat([varintField(1, 0), bytesField(3, '')]))), Buffer.from([0x1a, 0x7f])]);
    expect(scanAggregate(seal(Buffer.concat([bytesField(1, 'k'), body])), 10).status).toBe('tooManyUserRecords');
  });

  it('checks the MD5 before anything else, and tells plain data from a broken aggregate', () => {
    const broken = aggregateOf(11);
    broken[broken.length - 1] ^= 1;
    expect(scanAggregate(broken, 10).status).toBe('invalid');
    expect(scanAggregate(Buffer.from('plain')).status).toBe('plain');
    expect(scanAggregate(seal(bytesField(1, 'k'))).status).toBe('invalid');
    expect(scanAggregate(seal(bytesField(3, Buffer.concat([varintField(1, 1), bytesField(3, 'x')])))).status).toBe('invalid');
  });
});
