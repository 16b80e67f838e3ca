import { describe, expect, it } from 'vitest';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { recordBytes } from '../../../src/producer/byte-arena.ts';
import { resolveProducerOptions } from '../../../src/producer/options.ts';
import { ShardBuffer } from '../../../src/producer/shard-buffer.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';

const options = resolveProducerOptions({ streamName: 's' });
const keys = new HashKeyCache();
const idOf = (record: UserRecord): number => (JSON.parse(Buffer.from(recordBytes(record)).toString()) as { id: number }).id;

/** A buffer holding records 0..n−1, put at time 0. */
function bufferOf(n: number, preserveOrder: boolean): { buffer: ShardBuffer; records: UserRecord[] } {
  const buffer = new ShardBuffer('shard-0', preserveOrder);
  const records = Array.from({ length: n }, (_, id) => acceptUserRecord({ id }, { partitionKey: 'k' }, options, keys, 0));
  for (const record of records) buffer.push(record);
  return { buffer, records };
}

const all = () => true;
const upTo = (n: number) => {
  let taken = 0;
  return () => taken++ < n;
};

/** Takes the first `n` records as a batch that fails, and puts them back to be retried at `notBefore`. */
function failFirst(buffer: ShardBuffer, n: number, notBefore: number): UserRecord[] {
  const batch = buffer.take(0, upTo(n));
  for (const record of batch) record.notBefore = notBefore;
  buffer.requeue(batch);
  return batch;
}

describe('ShardBuffer with preserveOrder', () => {
  it('sends nothing newer while a retry waits, then the retry first and the newer records after it', () => {
    const { buffer } = bufferOf(6, true);
    failFirst(buffer, 2, 100);
    expect(buffer.take(50, all)).toEqual([]);
    expect(buffer.nextDueAt(100)).toBe(100);
    expect(buffer.size).toBe(6);
    expect(buffer.take(100, all).map(idOf)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(buffer.size).toBe(0);
    expect(buffer.pendingBytes).toBe(0);
  });

  it('sends retries oldest first, and an older retry holds back a newer one that is due sooner', () => {
    const { buffer } = bufferOf(6, true);
    const older = buffer.take(0, upTo(2));
    failFirst(buffer, 2, 50);
    for (const record of older) record.notBefore = 100;
    buffer.requeue(older);
    expect(buffer.take(60, all)).toEqual([]);
    expect(buffer.nextDueAt(100)).toBe(100);
    expect(buffer.take(100, upTo(3)).map(idOf)).toEqual([0, 1, 2]);
    // The batch was full among the retries: the rest still comes before the new records.
    expect(buffer.take(100, all).map(idOf)).toEqual([3, 4, 5]);
  });

  it('puts a re-queued batch back in front of the retries it left behind', () => {
    const { buffer } = bufferOf(4, true);
    failFirst(buffer, 4, 10);
    const batch = buffer.take(10, upTo(2));
    expect(batch.map(idOf)).toEqual([0, 1]);
    for (const record of batch) record.notBefore = 0;
    buffer.requeue(batch);
    expect(buffer.take(10, all).map(idOf)).toEqual([0, 1, 2, 3]);
  });

  it('skips settled retries and lets newer records go once none is left waiting', () => {
    const { buffer } = bufferOf(4, true);
    const failed = failFirst(buffer, 2, 100);
    for (const record of failed) record.settled = true;
    expect(buffer.take(50, all).map(idOf)).toEqual([2, 3]);
    expect(buffer.pendingBytes).toBe(0);
  });
});

describe('ShardBuffer without preserveOrder', () => {
  it('sends newer records while a retry waits out its backoff', () => {
    const { buffer } = bufferOf(6, false);
    failFirst(buffer, 2, 100);
    expect(buffer.take(50, all).map(idOf)).toEqual([2, 3, 4, 5]);
    expect(buffer.take(100, all).map(idOf)).toEqual([0, 1]);
  });
});

describe('ShardBuffer linger deadline', () => {
  const bufferWith = (shardId: string, arrivedAt: number): ShardBuffer => {
    const buffer = new ShardBuffer(shardId, true);
    buffer.push(acceptUserRecord({ id: 0 }, { partitionKey: 'k' }, options, keys, arrivedAt));
    return buffer;
  };

  it('falls on a grid of the linger time, so buffers filled at different times fall due together', () => {
    expect([1, 37, 99.5].map((at, i) => bufferWith(`shard-${i}`, at).nextDueAt(100))).toEqual([100, 100, 100]);
    // A record that arrives on the grid point waits the whole linger time, and none waits longer.
    expect(bufferWith('shard-3', 100).nextDueAt(100)).toBe(200);
    expect(bufferWith('shard-4', 199.9).nextDueAt(100)).toBe(200);
  });

  it('is the arrival plus the linger time when the linger time is too short for a grid', () => {
    expect(bufferWith('shard-0', 7).nextDueAt(1)).toBe(8);
    expect(bufferWith('shard-1', 7).nextDueAt(0)).toBe(7);
  });
});
