import { describe, expect, it } from 'vitest';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { cutBatch, toEncodeTask, type BatchLimits } from '../../../src/producer/batch.ts';
import { ByteArena, ChunkPool, recordBytes, releaseBytes } from '../../../src/producer/byte-arena.ts';
import { encodeBatch } from '../../../src/producer/encode-batch.ts';
import { resolveProducerOptions } from '../../../src/producer/options.ts';
import { ShardBuffer } from '../../../src/producer/shard-buffer.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { AggregateSizer } from '../../../src/codec/aggregation.ts';
import { deaggregate } from '../../../src/codec/deaggregation.ts';
import { openEnvelope } from '../../../src/codec/envelope.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';

// Strings go in as they are, so the tests control the exact bytes.
const options = resolveProducerOptions({ streamName: 's', serializer: (value) => value as string, maxUserRecordSize: 2 * 1024 * 1024 });
const hashKeys = new HashKeyCache();
const record = (data: string | Uint8Array, partitionKey = 'pk', explicitHashKey?: string): UserRecord =>
  acceptUserRecord(data, { partitionKey, explicitHashKey }, options, hashKeys, 0);
const text = (r: UserRecord) => Buffer.from(recordBytes(r)).toString();
const limits = (overrides: Partial<BatchLimits> = {}): BatchLimits => ({
  aggregationEnabled: true,
  aggregationMaxCount: 4294967295,
  aggregationMaxSize: 51200,
  maxRecordSize: options.maxUserRecordSize!,
  maxCount: 500,
  maxBytes: 5 * 1024 * 1024,
  ...overrides,
});

/** Every user record of a task, decoded from what the worker would send. */
function decode(task: ReturnType<typeof toEncodeTask>): { data: string; partitionKey: string }[] {
  const { records } = encodeBatch(task);
  const out: { data: string; partitionKey: string }[] = [];
  records.forEach((bytes, g) => {
    if (task.groupSizes[g] === 1) {
      out.push({ data: Buffer.from(bytes).toString(), partitionKey: '(single)' });
      return;
    }
    const inner = task.compression === 'deflate' ? openEnvelope(bytes, { maxInflatedBytes: 1 << 24 }) : bytes;
    for (const user of deaggregate(inner, 'a').records) out.push({ data: user.data.toString(), partitionKey: user.partitionKey });
  });
  return out;
}

describe('ByteArena', () => {
  it('moves string and byte data out of the record, UTF-8 encoded, and leaves it readable', () => {
    const arena = new ByteArena();
    const a = record('{"city":"Zürich","emoji":"🚲"}');
    const b = record(Uint8Array.from([1, 2, 3]));
    arena.store(a, 0);
    arena.store(b, 0);
    expect(a.data).toBeUndefined();
    expect(b.data).toBeUndefined();
    expect(text(a)).toBe('{"city":"Zürich","emoji":"🚲"}');
    expect([...recordBytes(b)]).toEqual([1, 2, 3]);
    expect(a.chunk).toBe(b.chunk);
    expect(b.offset).toBe(a.dataSize);
  });

  it('stores a record only once, so a re-routed record keeps its bytes where they are', () => {
    const first = new ByteArena();
    const second = new ByteArena();
    const r = record('{"n":1}');
    first.store(r, 0);
    const { chunk, offset } = r;
    second.store(r, 0);
    expect(r.chunk).toBe(chunk);
    expect(r.offset).toBe(offset);
  });

  it('gives a record larger than a chunk a buffer of its own and goes on filling the current chunk', () => {
    const arena = new ByteArena();
    const small = record('x'.repeat(10));
    const large = record('y'.repeat(1024 * 1024 + 1));
    const next = record('z'.repeat(10));
    arena.store(small, 0);
    arena.store(large, 0);
    arena.store(next, 0);
    expect(large.chunk!.bytes.length).toBe(1024 * 1024 + 1);
    expect(next.chunk).toBe(small.chunk);
    expect(next.offset).toBe(10);
    expect(text(large)).toBe('y'.repeat(1024 * 1024 + 1));
  });

  it('starts a new chunk when one is full, sized by the backlog', () => {
    const arena = new ByteArena();
    const records = Array.from({ length: 200 }, (_, i) => record(`{"i":${i},"pad":"${'p'.repeat(100)}"}`));
    for (const r of records) arena.store(r, 200_000);
    const chunks = new Set(records.map((r) => r.chunk));
    expect(chunks.size).toBe(1);
    expect([...chunks][0]!.bytes.length).toBe(256 * 1024);
    const quiet = new ByteArena();
    const r = record('{}');
    quiet.store(r, 0);
    expect(r.chunk!.bytes.length).toBe(16 * 1024);
    records.forEach((r, i) => expect(JSON.parse(text(r)).i).toBe(i));
  });
});

describe('ChunkPool', () => {
  const fill = (arena: ByteArena, count: number, backlog = 0) =>
    Array.from({ length: count }, (_, i) => {
      const r = record(`{"i":${i},"pad":"${'p'.repeat(1000)}"}`);
      arena.store(r, backlog);
      return r;
    });

  it('takes a chunk back once every record in it has settled and the arena has moved on, and hands it out again', () => {
    const pool = new ChunkPool();
    const arena = new ByteArena(pool);
    const first = fill(arena, 16);
    const chunk = first[0]!.chunk!;
    expect(new Set(first.map((r) => r.chunk)).size).toBe(1);
    const next = fill(arena, 2);
    expect(next[1]!.chunk).not.toBe(chunk);
    for (const r of first.slice(0, -1)) releaseBytes(r);
    expect(pool.pooledBytes).toBe(0);
    releaseBytes(first.at(-1)!);
    expect(pool.pooledBytes).toBe(16 * 1024);
    expect(first[0]!.chunk).toBeUndefined();
    // The next 16 KiB chunk is that buffer, written over.
    const other = new ByteArena(pool);
    const reused = fill(other, 1);
    expect(reused[0]!.chunk!.bytes).toBe(chunk.bytes);
    expect(pool.pooledBytes).toBe(0);
    expect(JSON.parse(text(reused[0]!)).i).toBe(0);
  });

  it('keeps the chunk an arena still writes into, even when nothing lives in it', () => {
    const pool = new ChunkPool();
    const arena = new ByteArena(pool);
    const [only] = fill(arena, 1);
    releaseBytes(only!);
    expect(pool.pooledBytes).toBe(0);
    const [after] = fill(arena, 1);
    expect(after!.offset).toBeGreaterThan(0);
  });

  it('moves a record waiting for a retry into the current chunk, so acknowledged neighbours free the old one', () => {
    const pool = new ChunkPool();
    const arena = new ByteArena(pool);
    const batch = fill(arena, 16);
    const old = batch[0]!.chunk!;
    fill(arena, 1);
    const retried = batch[3]!;
    for (const r of batch) if (r !== retried) releaseBytes(r);
    expect(pool.pooledBytes).toBe(0);
    arena.restore(retried, 0);
    expect(retried.chunk).not.toBe(old);
    expect(JSON.parse(text(retried)).i).toBe(3);
    expect(pool.pooledBytes).toBe(16 * 1024);
  });

  it("holds at most its cap and never pools a record's own oversized buffer", () => {
    const pool = new ChunkPool(16 * 1024);
    const arenas = [new ByteArena(pool), new ByteArena(pool)];
    const records = arenas.map((a) => fill(a, 16));
    arenas.forEach((a) => fill(a, 1));
    for (const r of records.flat()) releaseBytes(r);
    expect(pool.pooledBytes).toBe(16 * 1024);
    const large = record('y'.repeat(1024 * 1024 + 1));
    const roomy = new ByteArena(new ChunkPool());
    roomy.store(large, 0);
    releaseBytes(large);
    expect(large.chunk).toBeUndefined();
  });
});

describe('cutBatch and toEncodeTask', () => {
  it('never lets an aggregate outgrow aggregationMaxSize, with repeated keys, explicit hash keys and multi-byte data', () => {
    const random = createSeededRandom(7);
    for (let round = 0; round < 20; round++) {
      const buffer = new ShardBuffer('shard-0');
      const maxSize = 200 + Math.floor(random() * 4000);
      for (let i = 0; i < 300; i++) {
        const key = `user-${Math.floor(random() * 20)}${random() < 0.1 ? 'é' : ''}`;
        const ehk = random() < 0.2 ? String(Math.floor(random() * 1e15)) : undefined;
        buffer.push(record(`{"i":${i},"s":"${'ü'.repeat(Math.floor(random() * 60))}"}`, key, ehk));
      }
      let batch;
      while ((batch = cutBatch(buffer, limits({ aggregationMaxSize: maxSize }), 0))) {
        const task = toEncodeTask(batch, 'none', 1);
        const { records } = encodeBatch(task);
        records.forEach((bytes, g) => {
          if (task.groupSizes[g] > 1) expect(bytes.length).toBeLessThanOrEqual(maxSize);
        });
      }
    }
  });

  it('carries every partition key to the worker packed with the data, whatever its characters', () => {
    const keys = ['k', 'β-ключ', '🚲', 'Zürich', 'k', 'x'.repeat(256), '\u0000', 'ÿ'];
    const buffer = new ShardBuffer('shard-0');
    // A single record between aggregates: its key is skipped, not read as the next one's.
    keys.forEach((key, i) => buffer.push(record(`{"i":${i}}`, key)));
    buffer.push(record('x'.repeat(3000), 'alone'));
    keys.forEach((key, i) => buffer.push(record(`{"j":${i}}`, key)));
    const batch = cutBatch(buffer, limits({ aggregationMaxSize: 2000 }), 0)!;
    expect(batch.groups.map((g) => g.length)).toEqual([keys.length, 1, keys.length]);
    const decoded = decode(toEncodeTask(batch, 'deflate', 1));
    expect(decoded.map((d) => d.partitionKey)).toEqual([...keys, '(single)', ...keys]);
  });

  it('packs an aggregate to the exact limit when no key repeats', () => {
    const buffer = new ShardBuffer('shard-0');
    for (let i = 0; i < 1000; i++) buffer.push(record(`{"i":${i}}`, `user-${i}`));
    const batch = cutBatch(buffer, limits({ aggregationMaxSize: 2000 }), 0)!;
    const { records } = encodeBatch(toEncodeTask(batch, 'none', 1));
    const sizer = new AggregateSizer();
    for (const r of batch.groups[0]) sizer.add(r.partitionKey, undefined, r.dataSize);
    expect(records[0].length).toBe(sizer.size);
    expect(records[0].length).toBeLessThanOrEqual(2000);
    // The next record would not have fitted: the aggregate is as full as the limit allows.
    const next = batch.groups[1][0];
    expect(sizer.sizeWith(next.partitionKey, undefined, next.dataSize)).toBeGreaterThan(2000);
  });

  it('hands the worker every record, in order, from arena chunks, across chunks and from records not yet stored', () => {
    const buffer = new ShardBuffer('shard-0');
    const sent: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const data = `{"i":${i},"pad":"${'ä'.repeat(i % 50)}"}`;
      sent.push(data);
      buffer.push(record(data, `k${i % 7}`));
    }
    const batch = cutBatch(buffer, limits(), 0)!;
    expect(batch.userRecords).toBe(3000);
    expect(new Set(batch.groups.flat().map((r) => r.chunk)).size).toBeGreaterThan(1);
    // A record re-queued without an arena (as a test would build it) is written directly.
    const loose = record('{"loose":true}', 'k0');
    batch.groups.push([loose]);
    (batch as { userRecords: number }).userRecords++;
    (batch as { dataBytes: number }).dataBytes += loose.dataSize;
    const task = toEncodeTask(batch, 'deflate', 1);
    expect(task.keysAt).toBe(batch.dataBytes);
    expect(task.data.length).toBe(batch.dataBytes + batch.groups.flat().reduce((n, r) => n + Buffer.byteLength(r.partitionKey), 0));
    const decoded = decode(task);
    expect(decoded.map((d) => d.data)).toEqual([...sent, '{"loose":true}']);
    expect(decoded.slice(0, 3000).map((d) => d.partitionKey)).toEqual(sent.map((_, i) => `k${i % 7}`));
  });

  it('keeps a batch within the request limits whatever the records', () => {
    const buffer = new ShardBuffer('shard-0');
    for (let i = 0; i < 50; i++) buffer.push(record('x'.repeat(1000), `k${i}`));
    const batch = cutBatch(buffer, limits({ aggregationEnabled: false, maxCount: 10 }), 0)!;
    expect(batch.groups).toHaveLength(10);
    const bytesLimited = cutBatch(buffer, limits({ maxBytes: 5000 }), 0)!;
    expect(bytesLimited.dataBytes).toBeLessThanOrEqual(5000);
    expect(buffer.size).toBe(50 - 10 - bytesLimited.userRecords);
  });
});
