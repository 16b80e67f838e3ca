import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySink } from '../../src/stages/sink/delivery-sink.ts';
import { s3Destination } from '../../src/stages/sink/s3/s3-destination.ts';
import { s3OnFailureDestination } from '../../src/stages/sink/s3/s3-on-failure.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { systemClock } from '../../src/internal/clock.ts';
import { startLocalS3, type LocalS3 } from '../../src/testing/local-s3.ts';
import { stageHarness } from '../../src/testing/stage-harness.ts';
import { startS3FaultProxy, type S3FaultProxy } from './s3-fault-proxy.ts';

const BUCKET = 'clicks-archive';
let s3: LocalS3;
let proxy: S3FaultProxy;
let reader: S3Client;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
  proxy = await startS3FaultProxy(s3.endpoint);
  reader = new S3Client({ ...s3.connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
});

afterAll(async () => {
  reader.destroy();
  await proxy.close();
  await s3.close();
});

let sequence = 1000;
const click = (i: number): StreamItem => ({
  value: { eventId: `e-${i}`, page: `p${i % 3}`, durationMs: i },
  partitionKey: `u${i}`,
  eventTime: Date.UTC(2026, 0, 1),
  source: { shardId: 'shardId-000000000000', sequenceNumber: String(sequence++), subSequenceNumber: 0 },
});

async function keys(prefix: string): Promise<string[]> {
  const listed = await reader.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function text(key: string): Promise<string> {
  const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return object.Body!.transformToString();
}

/** A sink on the real clock (the SDK's retries take real time) through the fault proxy. */
function sink(prefix: string, extra: Parameters<typeof deliverySink>[0] = {}) {
  const destination = s3Destination({ bucket: BUCKET, prefix, connection: { ...s3.connection, endpoint: proxy.endpoint } });
  const h = stageHarness(deliverySink({ destination, retryDurationMs: 20_000, ...extra }), { clock: systemClock });
  return { destination, h };
}

describe('s3Destination against the embedded S3', () => {
  it('writes objects into the bucket under its prefix, passing encryption and storage class through, and acknowledges once S3 has them', async () => {
    const destination = s3Destination({
      bucket: BUCKET,
      prefix: 'sse/',
      connection: { ...s3.connection, endpoint: proxy.endpoint },
      serverSideEncryption: 'aws:kms',
      sseKmsKeyId: 'alias/clicks',
      storageClass: 'STANDARD_IA',
    });
    const h = stageHarness(deliverySink({ destination, partitionBy: 'page={page}/' }), { clock: systemClock });
    const items = [0, 1, 2, 3, 4, 5].map(click);
    await h.process(items);
    expect(h.openHolds()).toBe(1);
    await h.flush();
    expect(h.openHolds()).toBe(0);
    const written = await keys('sse/');
    expect(written.map((k) => k.split('/')[1])).toEqual(['page=p0', 'page=p1', 'page=p2']);
    const lines = (await Promise.all(written.map(text))).flatMap((t) => t.trim().split('\n'));
    expect(lines.map((l) => (JSON.parse(l) as { eventId: string }).eventId).sort()).toEqual(items.map((i) => (i.value as { eventId: string }).eventId).sort());
    const put = proxy.requests.find((r) => r.method === 'PUT' && r.path.includes('/sse/'))!;
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/clicks');
    expect(put.headers['x-amz-storage-class']).toBe('STANDARD_IA');
    const head = await reader.send(new HeadObjectCommand({ Bucket: BUCKET, Key: written[0] }));
    expect(head.StorageClass).toBe('STANDARD_IA');
    expect(head.ContentType).toBe('application/x-ndjson');
    destination.close();
    await h.close();
  });

  it('uploads an object larger than partSizeBytes in parts, and a redelivery of the same records overwrites it', async () => {
    const destination = s3Destination({ bucket: BUCKET, prefix: 'big/', connection: { ...s3.connection, endpoint: proxy.endpoint }, partSizeBytes: 5 * 1024 * 1024 });
    const padding = 'x'.repeat(1000);
    const items = Array.from({ length: 12_000 }, (_, i) => ({ ...click(i), value: { eventId: `e-${i}`, padding } }));
    for (let delivery = 0; delivery < 2; delivery++) {
      const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 64 * 1024 * 1024 }), { clock: systemClock });
      await h.process(items);
      await h.flush();
      expect(h.openHolds()).toBe(0);
      await h.close();
    }
    const written = await keys('big/');
    expect(written).toHaveLength(1);
    const uploads = proxy.requests.filter((r) => r.path.includes('/big/'));
    expect(uploads.filter((r) => r.method === 'POST')).toHaveLength(4); // create and complete, per delivery
    expect(uploads.filter((r) => r.method === 'PUT')).toHaveLength(6); // 12 MB in three parts, per delivery
    expect((await text(written[0])).trim().split('\n')).toHaveLength(12_000);
    destination.close();
  });

  it('retries 503 SlowDown and 500 InternalError answers until S3 takes the object, within retryDurationMs', async () => {
    const { destination, h } = sink('slow/');
    proxy.failPuts(6, 503, 'SlowDown', /\/slow\//);
    await h.process([click(1), click(2)]);
    await h.flush();
    expect(proxy.failed).toBeGreaterThanOrEqual(6);
    expect(await keys('slow/')).toHaveLength(1);
    expect(await keys('slow/errors/')).toEqual([]);
    proxy.failPuts(2, 500, 'InternalError', /\/slow\//);
    await h.process([click(3)]);
    await h.flush();
    expect(await keys('slow/')).toHaveLength(2);
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toEqual([]);
    destination.close();
    await h.close();
  });

  it('puts the records under the error prefix with the reason when S3 keeps failing past retryDurationMs', async () => {
    const { destination, h } = sink('down/', { retryDurationMs: 1000, errorPrefix: 'failed/' });
    proxy.failPuts(Infinity, 503, 'SlowDown', /\/down\/2026/);
    await h.process([click(1), click(2)]);
    await h.flush();
    proxy.failPuts(0, 503, 'SlowDown');
    expect(await keys('down/2026')).toEqual([]);
    const [errorKey] = await keys('down/failed/');
    const errors = (await text(errorKey)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ errorCode: 'SlowDown', shardId: 'shardId-000000000000' });
    expect(errors[0].attemptsMade).toBeGreaterThanOrEqual(1);
    expect(h.openHolds()).toBe(0);
    destination.close();
    await h.close();
  });

  it('acknowledges nothing when the bucket is unreachable: the batch fails and is read again', async () => {
    const missing = s3Destination({ bucket: 'no-such-bucket', connection: s3.connection });
    const h = stageHarness(deliverySink({ destination: missing, retryDurationMs: 500 }), { clock: systemClock });
    await h.process([click(1)]);
    await h.flush();
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toMatchObject({ code: 'SINK_DELIVERY_FAILED' });
    expect(String((h.failures[0] as Error).message)).toMatch(/NoSuchBucket|specified bucket does not exist/);
    missing.close();
    await h.close();

    const closed = await startLocalS3();
    const endpoint = closed.endpoint;
    await closed.close();
    const nowhere = s3Destination({ bucket: BUCKET, connection: { ...s3.connection, endpoint } });
    const h2 = stageHarness(deliverySink({ destination: nowhere, retryDurationMs: 0 }), { clock: systemClock });
    await h2.process([click(2)]);
    await h2.flush();
    expect(h2.failures).toHaveLength(1);
    expect(String(((h2.failures[0] as Error).cause as Error).message)).toMatch(/ECONNREFUSED/);
    nowhere.close();
    await h2.close();
  });

  it('s3OnFailureDestination writes a batch given up on as Lambda does: shard, sequence range, attempts, last error, records', async () => {
    const onFailure = s3OnFailureDestination({ bucket: BUCKET, connection: s3.connection });
    const arrival = new Date(Date.UTC(2026, 0, 2, 3));
    const records = [7, 8].map((i) => ({ shardId: 'shardId-000000000004', sequenceNumber: String(900 + i), subSequenceNumber: 0, partitionKey: `k${i}`, data: Buffer.from(`{"n":${i}}`), approximateArrivalTimestamp: arrival }));
    const failure = { shardId: 'shardId-000000000004', startSequenceNumber: '907', endSequenceNumber: '908', records, batchSize: 2, attempts: 3, reason: 'retriesExhausted' as const, error: new Error('handler exploded') };
    await onFailure(failure, { signal: new AbortController().signal });
    await onFailure(failure, { signal: new AbortController().signal }); // retried by the consumer: same key
    const written = await keys('failed-batches/');
    expect(written).toEqual(['failed-batches/shardId-000000000004/2026/01/02/03/shardId-000000000004-907-908.json']);
    const document = JSON.parse(await text(written[0])) as Record<string, any>;
    expect(document.requestContext).toEqual({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(document.responseContext).toMatchObject({ errorType: 'Error', errorMessage: 'handler exploded' });
    expect(document.KinesisBatchInfo).toEqual({
      shardId: 'shardId-000000000004',
      startSequenceNumber: '907',
      endSequenceNumber: '908',
      approximateArrivalOfFirstRecord: arrival.toISOString(),
      approximateArrivalOfLastRecord: arrival.toISOString(),
      batchSize: 2,
    });
    expect(document.payload.map((r: { data: string }) => Buffer.from(r.data, 'base64').toString())).toEqual(['{"n":7}', '{"n":8}']);
    onFailure.close();
  });

  it('takes an S3Client of the caller, and leaves it to the caller on close', async () => {
    const client = new S3Client({ ...s3.connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
    const destination = s3Destination({ bucket: BUCKET, prefix: 'own-client/', client });
    await destination.write('a.json', Buffer.from('{"a":1}\n'), { records: [], contentType: 'application/x-ndjson' });
    destination.close();
    await expect(destination.write('b.json', Buffer.from('{}\n'))).rejects.toThrow(TypeError);
    expect(await keys('own-client/')).toEqual(['own-client/a.json']);
    expect(await text('own-client/a.json')).toBe('{"a":1}\n');
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'own-client/a.json' })); // still usable
    client.destroy();
  });

  it('refuses options that cannot work, naming them', () => {
    expect(() => s3Destination({ bucket: 'B' })).toThrow(/options.bucket must be an S3 bucket name/);
    expect(() => s3Destination({ bucket: BUCKET, sseKmsKeyId: 'k' })).toThrow(/options.sseKmsKeyId needs options.serverSideEncryption 'aws:kms'/);
    expect(() => s3Destination({ bucket: BUCKET, partSizeBytes: 1024 })).toThrow(/options.partSizeBytes must be an integer from 5242880/);
    expect(() => s3Destination({ bucket: BUCKET, client: reader, connection: s3.connection })).toThrow(/options.connection must not be set together with options.client/);
    expect(() => s3Destination({ bucket: BUCKET, serverSideEncryption: 'rot13' as never })).toThrow(/serverSideEncryption must be/);
  });
});

