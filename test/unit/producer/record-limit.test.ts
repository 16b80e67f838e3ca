import { describe, expect, it } from 'vitest';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { AGGREGATE_PARTITION_KEY, cutBatch, toEncodeTask, type Batch, type BatchLimits } from '../../../src/producer/batch.ts';
import { encodeBatch } from '../../../src/producer/encode-batch.ts';
import { resolveProducerOptions, type ResolvedProducerOptions } from '../../../src/producer/options.ts';
import { ShardBuffer } from '../../../src/producer/shard-buffer.ts';
import { AGGREGATE_OVERHEAD, aggregateRecordBound } from '../../../src/codec/aggregation.ts';
import type { CompressionCodec } from '../../../src/codec/envelope.ts';
import { isEnvelope } from '../../../src/codec/envelope.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { decodeKinesisRecord } from '../../../src/codec/kinesis-record.ts';
import { KPL_MAGIC } from '../../../src/codec/kpl-format.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';
import { seededBytes } from '../../fixtures/seeded-bytes.ts';

const MiB = 1024 * 1024;
const hashKeys = new HashKeyCache();

interface Input {
  data: Buffer;
  partitionKey: string;
  explicitHashKey?: string | undefined;
}

function producerOptions(maxRecordSize: number, aggregationMaxSize: number): ResolvedProducerOptions {
  return resolveProducerOptions({ streamName: 's', maxUserRecordSize: maxRecordSize, aggregationMaxSize });
}

/** The limits the producer's shard router gives cutBatch, for one shard at the default rate limit. */
function limitsOf(options: ResolvedProducerOptions): BatchLimits {
  return {
    aggregationEnabled: true,
    aggregationMaxCount: options.aggregationMaxCount,
    aggregationMaxSize: options.aggregationMaxSize,
    maxRecordSize: options.maxUserRecordSize!,
    maxCount: 500,
    maxBytes: Math.max(options.maxUserRecordSize!, 1.5 * MiB),
  };
}

/** The Kinesis records the producer would send for a batch: data, and the partition key it goes with. */
function kinesisRecords(batch: Batch, compression: CompressionCodec): { data: Uint8Array; partitionKey: string }[] {
  const { records } = encodeBatch(toEncodeTask(batch, compression, 1));
  return records.map((data, g) => ({ data, partitionKey: batch.groups[g].length === 1 ? batch.groups[g][0].partitionKey : AGGREGATE_PARTITION_KEY }));
}

/** What Kinesis counts toward its record limit: the data plus the partition key. */
const kinesisSize = (record: { data: Uint8Array; partitionKey: string }) => record.data.length + Buffer.byteLength(record.partitionKey);

/** Puts the inputs through cutBatch and encodeBatch as the producer would, and returns every Kinesis record. */
function send(inputs: Input[], options: ResolvedProducerOptions, compression: CompressionCodec) {
  const buffer = new ShardBuffer('shard-0');
  for (const input of inputs) buffer.push(acceptUserRecord(input.data, input, options, hashKeys, 0));
  const out: { data: Uint8Array; partitionKey: string }[] = [];
  let batch;
  while ((batch = cutBatch(buffer, limitsOf(options), 0))) out.push(...kinesisRecords(batch, compression));
  return out;
}

/** Reads the user records back from Kinesis records as a consumer would, and checks they are the inputs' data, in order. */
function expectReadBack(records: { data: Uint8Array; partitionKey: string }[], inputs: { data: Buffer }[]): void {
  const read = records.flatMap((r) => decodeKinesisRecord(r.data, r.partitionKey, undefined, 16 * MiB).records);
  expect(read.length).toBe(inputs.length);
  // Buffer.equals: a deep equality over megabytes of bytes would take the test's whole budget.
  expect(read.findIndex((u, i) => !inputs[i].data.equals(u.data))).toBe(-1);
}

/**
 * The data length that makes a record cost exactly `bytes` as the `index`-th record of an
 * aggregate whose keys do not repeat, when there is one (a varint boundary can skip a size).
 */
function dataLengthCosting(bytes: number, keyBytes: number, explicitHashKeyBytes: number | undefined, index: number): number | undefined {
  const longest = bytes - aggregateRecordBound(keyBytes, explicitHashKeyBytes, 0, index);
  for (let length = longest; length >= 0 && length > longest - 16; length--) {
    if (aggregateRecordBound(keyBytes, explicitHashKeyBytes, length, index) === bytes) return length;
  }
  return undefined;
}

/** 16 records of 65,000 random bytes and one that makes their aggregate exactly `target` bytes, with unique keys. */
function aggregateOfExactly(target: number, seed: number): Input[] {
  const inputs: Input[] = [];
  let used = AGGREGATE_OVERHEAD;
  for (let i = 0; i < 16; i++) {
    inputs.push({ data: seededBytes(65_000, seed + i), partitionKey: `key-${String(i).padStart(2, '0')}` });
    used += aggregateRecordBound(6, undefined, 65_000, i);
  }
  const filler = dataLengthCosting(target - used, 6, undefined, 16)!;
  inputs.push({ data: seededBytes(filler, seed + 16), partitionKey: 'key-16' });
  return inputs;
}

describe('Kinesis records within the record limit (data plus partition key)', () => {
  it.each(['none', 'deflate'] as const)(
    'keeps an aggregate of incompressible data packed at aggregationMaxSize 1048576 within 1 MiB with its outer key (compression %s)',
    (compression) => {
      const inputs = [...aggregateOfExactly(MiB, 1), { data: seededBytes(100, 99), partitionKey: 'key-17' }];
      const records = send(inputs, producerOptions(MiB, MiB), compression);
      expect(records.length).toBeGreaterThan(1);
      for (const record of records) expect(kinesisSize(record)).toBeLessThanOrEqual(MiB);
      expect(kinesisSize(records[0])).toBeGreaterThan(MiB - 65_100);
      expectReadBack(records, inputs);
    },
  );

  it("sends an aggregate whose envelope would be larger as the plain aggregate, and compressible ones in envelopes", () => {
    const options = producerOptions(MiB, 51_200);
    const random = Array.from({ length: 10 }, (_, i) => ({ data: seededBytes(4000, i), partitionKey: `k${i}` }));
    const [plain] = send(random, options, 'deflate');
    expect(KPL_MAGIC.equals(plain.data.subarray(0, 4))).toBe(true);
    expect(Buffer.from(plain.data).equals(send(random, options, 'none')[0].data)).toBe(true);
    const text = Array.from({ length: 10 }, (_, i) => ({ data: Buffer.from(`{"page":"/home","n":${i}}`.repeat(100)), partitionKey: `k${i}` }));
    const [compressed] = send(text, options, 'deflate');
    expect(isEnvelope(compressed.data)).toBe(true);
    expectReadBack([plain, compressed], [...random, ...text]);
  });

  it('takes a user record of exactly maxUserRecordSize with its partition key, alone in its Kinesis record, and refuses one byte more', () => {
    const options = producerOptions(MiB, MiB);
    const partitionKey = 'é'.repeat(256); // 512 bytes in UTF-8: Kinesis counts bytes
    const largest = { data: seededBytes(MiB - 512, 5), partitionKey };
    const records = send([{ data: seededBytes(10, 6), partitionKey: 'a' }, largest, { data: seededBytes(10, 7), partitionKey: 'b' }], options, 'deflate');
    expect(records.map(kinesisSize)).toContain(MiB);
    for (const record of records) expect(kinesisSize(record)).toBeLessThanOrEqual(MiB);
    expect(() => acceptUserRecord(seededBytes(MiB - 511, 5), { partitionKey }, options, hashKeys, 0)).toThrow(
      expect.objectContaining({ code: 'RECORD_TOO_LARGE' }),
    );
  });

  it('never builds a Kinesis record over maxUserRecordSize with its partition key, whatever the options, keys and data (randomized)', () => {
    const random = createSeededRandom(2024);
    const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    const pick = <T,>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)];
    const key = (unique: string) => `${unique}${pick(['', 'x', 'é', '€']).repeat(int(0, 250 - unique.length))}`;
    let seed = 0;
    let nearLimit = 0;
    for (let round = 0; round < 40; round++) {
      const maxRecordSize = pick([MiB, MiB, 2 * MiB, 65_536, int(600, MiB)]);
      const aggregationMaxSize = Math.max(64, Math.min(MiB, pick([MiB, maxRecordSize, maxRecordSize - 1, int(64, MiB)])));
      const compression = pick(['none', 'deflate'] as const);
      const options = producerOptions(maxRecordSize, aggregationMaxSize);

      // First an aggregate filled exactly to one of the bounds, with unique keys so its size is exact...
      const inputs: Input[] = [];
      const target = pick([Math.min(aggregationMaxSize, maxRecordSize), maxRecordSize - 1, aggregationMaxSize - 1]);
      let used = AGGREGATE_OVERHEAD;
      for (let index = 0; index < 128; index++) {
        const partitionKey = key(`r${round}-${index}-`);
        const keyBytes = Buffer.byteLength(partitionKey);
        const explicitHashKey = random() < 0.3 ? String(1e12 + index) : undefined;
        const left = target - used;
        const room = left - aggregateRecordBound(keyBytes, explicitHashKey?.length, 0, index) - 2_000;
        const length = room <= 0 || random() < 0.25 ? dataLengthCosting(left, keyBytes, explicitHashKey?.length, index) : int(0, Math.min(100_000, room));
        if (length === undefined || length + keyBytes > maxRecordSize) break;
        inputs.push({ data: seededBytes(length, seed++), partitionKey, explicitHashKey });
        used += aggregateRecordBound(keyBytes, explicitHashKey?.length, length, index);
        if (used === target) break;
      }
      // ...then records of every size, up to the largest allowed, with repeated keys.
      let bytes = used;
      while (bytes < 3 * MiB) {
        let partitionKey = random() < 0.5 ? `user-${int(0, 5)}` : key(`t${round}-${inputs.length}-`);
        if (Buffer.byteLength(partitionKey) > maxRecordSize / 2) partitionKey = `user-${int(0, 5)}`;
        const largest = maxRecordSize - Buffer.byteLength(partitionKey);
        const length = Math.min(largest, pick([int(0, 300), int(0, 5_000), int(0, 100_000), largest, int(Math.max(0, largest - 50), largest)]));
        const data = random() < 0.7 ? seededBytes(length, seed++) : Buffer.alloc(length, 'click ');
        inputs.push({ data, partitionKey, explicitHashKey: random() < 0.1 ? String(int(0, 1e9)) : undefined });
        bytes += length + 256;
      }

      const records = send(inputs, options, compression);
      for (const record of records) {
        const size = kinesisSize(record);
        expect(size, `round ${round}: maxUserRecordSize ${maxRecordSize}, aggregationMaxSize ${aggregationMaxSize}, ${compression}`).toBeLessThanOrEqual(maxRecordSize);
        if (size > maxRecordSize - 16) nearLimit++;
      }
      expectReadBack(records, inputs);
    }
    // The cases reach the limit itself, where a byte too many shows.
    expect(nearLimit).toBeGreaterThan(20);
  });
});
