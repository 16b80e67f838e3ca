// Records above 1 MiB, on streams whose MaxRecordSizeInKiB was raised (up to 10 MiB), with the
// real SDK. kinesis-local (kinesis-mock) takes MaxRecordSizeInKiB on CreateStream, returns it
// from DescribeStreamSummary and enforces it per stream, so the whole path runs against it:
// producer, consumer and `tail`. kinesalite ignores MaxRecordSizeInKiB, returns none, and
// refuses any record over 1 MiB: the producer, finding no limit, keeps to 1 MiB there.
// kinesis-local takes a record of 10 MiB, but its GetRecords answered HTTP 500 (empty body) for
// a read that held one, and under load it takes minutes per record of several MiB: records here
// go up to 2 MiB, and large-record-requests.test.ts puts and reads 10 MiB records through the
// SDK against an endpoint of its own.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { runCli } from '../../src/cli/cli.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { createProducer } from '../../src/producer/producer.ts';
import type { PutResult } from '../../src/producer/user-record.ts';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { createStream } from '../../src/testing/streams.ts';
import { until } from './wait.ts';

const MiB = 1024 * 1024;

/** A JSON record of exactly `size` bytes with its partition key, recognizable by its id. */
function record(id: number, size: number): { value: Buffer; partitionKey: string } {
  const partitionKey = `key-${id}`;
  const head = `{"id":${id},"pad":"`;
  const pad = size - partitionKey.length - head.length - 2;
  return { value: Buffer.from(`${head}${'x'.repeat(pad)}"}`), partitionKey };
}

const idOf = (data: Uint8Array) => (JSON.parse(Buffer.from(data).toString('utf8')) as { id: number }).id;

async function streamLimit(kinesis: KinesisClient, streamName: string): Promise<number | undefined> {
  return (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.MaxRecordSizeInKiB;
}

describe('records up to 10 MiB on a stream with a larger MaxRecordSizeInKiB (kinesis-local)', () => {
  let local: KinesisLocal;
  let stack: LocalStack;
  let stdout = '';
  let stderr = '';
  beforeAll(async () => {
    [local, stack] = await Promise.all([startKinesisLocal(), startLocalStack({})]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), stack?.close()]);
  });
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('puts records of 2 MiB and 1.2 MB among small ones, refuses one over the limit, and the consumer and tail read every one back', async () => {
    const stream = randomName('big');
    await createStream(local.kinesis, stream, 1, { maxRecordSizeInKiB: 10240 });
    expect(await streamLimit(local.kinesis, stream)).toBe(10240);
    // Lifted rate limit: the emulator's pace alone counts.
    const producer = createProducer({ streamName: stream, kinesis: local.kinesis, rateLimit: 2000, recordTtl: 120_000 });
    const sizes = [200, 2 * MiB, 300, 150, 1_200_000, 250];
    const inputs = sizes.map((size, id) => record(id, size));
    const failures: unknown[] = [];
    producer.on('producer.putRecords', (e) => {
      if (e.error || e.failedKinesisRecords > 0) failures.push(e.error ?? `${e.failedKinesisRecords} failed entries`);
    });
    let results: PutResult[];
    let refused: unknown;
    try {
      // Let the producer learn the limit first: this put is refused at once, not after the fact.
      await producer.flush();
      await until(() => producer.bufferedByShard()['shardId-000000000000'] !== undefined, 20_000);
      refused = await producer.put(record(99, 10 * MiB + 1).value, { partitionKey: record(99, 10 * MiB + 1).partitionKey }).catch((e: unknown) => e);
      results = await Promise.all(inputs.map((i) => producer.put(i.value, { partitionKey: i.partitionKey })));
    } finally {
      await producer.close();
    }
    expect(refused).toMatchObject({
      code: 'RECORD_TOO_LARGE',
      message: "the record is 10485761 bytes (data plus partition key), over the stream's record limit (10485760: MaxRecordSizeInKiB 10240)",
    });
    expect(results).toHaveLength(sizes.length);
    expect(failures).toEqual([]);
    expect(producer.metrics().ErrorsByCode).toEqual({});

    // As stored: each large record alone in its Kinesis record, as it was given.
    const contents = await readStream(local.kinesis, stream);
    expect(contents.records.map((r) => idOf(r.data)).sort((a, b) => a - b)).toEqual(sizes.map((_, id) => id));
    for (const r of contents.records) expect(r.data.length + r.partitionKey.length).toBe(sizes[idOf(r.data)]);

    // The consumer: every record, byte for byte.
    const seen = new Map<number, number>();
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('big-app'),
      kinesis: local.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: 100,
      async handler(records) {
        for (const r of records) seen.set(idOf(r.data), r.data.length + r.partitionKey.length);
      },
    });
    try {
      await consumer.start();
      await until(() => seen.size === sizes.length, 60_000);
    } finally {
      await consumer.close();
    }
    expect([...seen].sort((a, b) => a[0] - b[0])).toEqual(sizes.map((size, id) => [id, size]));

    // tail, by the stream's ARN: one line per record, each whole.
    const arn = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
    stdout = '';
    const code = await runCli(['tail', arn, '--from', 'trim-horizon', '--max', String(sizes.length), '--endpoint', local.endpoint, '--region', 'us-east-1']);
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.length > 0);
    expect(lines.map((line) => [idOf(Buffer.from(line)), Buffer.byteLength(line) + `key-${idOf(Buffer.from(line))}`.length]).sort((a, b) => a[0] - b[0])).toEqual(
      sizes.map((size, id) => [id, size]),
    );
  }, 300_000);

  it("on a stream that never raised its limit: a put over 1 MiB fails with RECORD_TOO_LARGE (also one put before the limit was learned), and nothing else is lost", async () => {
    const stream = randomName('small');
    await createStream(local.kinesis, stream, 1);
    expect(await streamLimit(local.kinesis, stream)).toBeUndefined();
    const producer = createProducer({ streamName: stream, kinesis: local.kinesis });
    const failed: unknown[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e.error));
    const big = record(1000, 2 * MiB);
    // Put at once, before the producer has asked the stream: taken in, then refused once the limit is known.
    const early = producer.put(big.value, { partitionKey: big.partitionKey }).catch((e: unknown) => e);
    const small = Array.from({ length: 50 }, (_, id) => record(id, 100 + id));
    const smallResults = small.map((i) => producer.put(i.value, { partitionKey: i.partitionKey }));
    const atLimit = record(2000, MiB);
    const atLimitResult = producer.put(atLimit.value, { partitionKey: atLimit.partitionKey });
    let late: unknown;
    try {
      expect(await early).toMatchObject({
        code: 'RECORD_TOO_LARGE',
        message: "the record is 2097152 bytes (data plus partition key), over the stream's record limit (1048576: MaxRecordSizeInKiB 1024)",
      });
      late = await producer.put(big.value, { partitionKey: big.partitionKey }).catch((e: unknown) => e);
      await Promise.all([...smallResults, atLimitResult]);
    } finally {
      await producer.close();
    }
    expect(late).toMatchObject({ code: 'RECORD_TOO_LARGE', message: expect.stringContaining('over the stream\'s record limit (1048576') });
    expect(failed, 'only the early put failed after it was accepted; the late one was refused by put()').toHaveLength(1);
    expect(producer.metrics().ErrorsByCode).toEqual({});
    const contents = await readStream(local.kinesis, stream);
    expect(contents.records.map((r) => idOf(r.data)).sort((a, b) => a - b)).toEqual([...small.map((_, id) => id), 2000]);
  }, 120_000);

  it('keeps an explicit maxUserRecordSize when it is below the stream limit', async () => {
    const stream = randomName('capped');
    await createStream(local.kinesis, stream, 1, { maxRecordSizeInKiB: 10240 });
    const producer = createProducer({ streamName: stream, kinesis: local.kinesis, maxUserRecordSize: 2 * MiB });
    try {
      const refused = await producer.put(record(1, 3 * MiB).value, { partitionKey: 'key-1' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'RECORD_TOO_LARGE', message: 'the record is 3145728 bytes (data plus partition key), over options.maxUserRecordSize (2097152)' });
      await producer.put(record(2, 2 * MiB).value, { partitionKey: 'key-2' });
    } finally {
      await producer.close();
    }
    expect((await readStream(local.kinesis, stream)).records.map((r) => idOf(r.data))).toEqual([2]);
  }, 180_000);
});

describe('kinesalite, which keeps every stream at 1 MiB', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack?.close());

  it('returns no MaxRecordSizeInKiB even when asked for 10 MiB, so the producer refuses a 2 MiB record itself', async () => {
    const stream = randomName('kl-big');
    await createStream(stack.kinesis, stream, 1, { maxRecordSizeInKiB: 10240 });
    expect(await streamLimit(stack.kinesis, stream)).toBeUndefined();
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    const failed: unknown[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e.error));
    try {
      await producer.put('warm-up', { partitionKey: 'k' });
      const refused = await producer.put(record(1, 2 * MiB).value, { partitionKey: 'key-1' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'RECORD_TOO_LARGE', message: expect.stringContaining("over the stream's record limit (1048576") });
      await producer.put(record(2, MiB).value, { partitionKey: 'key-2' });
    } finally {
      await producer.close();
    }
    // Retried errors of a loaded machine (a reset connection) may show in ErrorsByCode; no record failed.
    expect(failed).toEqual([]);
  }, 60_000);
});
