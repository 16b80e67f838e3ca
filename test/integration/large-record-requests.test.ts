// Records of 10 MiB through the producer and the real SDK, against a Kinesis endpoint of the
// test's own (kinesis-local stores such records, but takes minutes per record under load):
// what the producer learns from DescribeStreamSummary, and what its PutRecords requests hold.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { createProducer } from '../../src/producer/producer.ts';
import { MAX_HASH_KEY } from '../../src/codec/hash-key.ts';

const MiB = 1024 * 1024;

interface Entry {
  Data: string;
  PartitionKey: string;
}

describe('PutRecords of records up to 10 MiB (an endpoint of the test own)', () => {
  let server: Server;
  let endpoint: string;
  const requests: { operation: string; stream: unknown; entries: Entry[] }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target']).split('.')[1];
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { StreamARN?: string; StreamName?: string; Records?: Entry[] };
        requests.push({ operation, stream: body.StreamARN ?? body.StreamName, entries: body.Records ?? [] });
        const answers: Record<string, unknown> = {
          DescribeStreamSummary: { StreamDescriptionSummary: { StreamName: 'big', StreamStatus: 'ACTIVE', OpenShardCount: 1, MaxRecordSizeInKiB: 10240 } },
          ListShards: { Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX_HASH_KEY.toString() }, SequenceNumberRange: { StartingSequenceNumber: '1' } }] },
          PutRecords: { FailedRecordCount: 0, Records: (body.Records ?? []).map((_, i) => ({ SequenceNumber: String(100 + requests.length * 1000 + i), ShardId: 'shardId-000000000000' })) },
        };
        const payload = JSON.stringify(answers[operation] ?? {});
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload) }).end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('learns 10 MiB from the stream, puts records of exactly 10 MiB each alone in its request, refuses one byte more, and no request exceeds 10 MiB or 500 records', async () => {
    const kinesis = createKinesisClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestTimeout: 60_000 });
    const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/big';
    const producer = createProducer({ streamArn, kinesis, rateLimit: 10_000 });
    const ten = (fill: number) => Buffer.alloc(10 * MiB - 3, fill);
    let refused: unknown;
    try {
      await producer.put('first', { partitionKey: 'k-0' });
      refused = await producer.put(Buffer.alloc(10 * MiB - 2), { partitionKey: 'k-1' }).catch((e: unknown) => e);
      const puts = [producer.put(ten(1), { partitionKey: 'k-1' }), ...Array.from({ length: 1_200 }, (_, i) => producer.put({ i }, { partitionKey: `s-${i % 9}` })), producer.put(ten(2), { partitionKey: 'k-2' })];
      await Promise.all(puts);
    } finally {
      await producer.close();
      kinesis.destroy();
    }
    expect(refused).toMatchObject({ code: 'RECORD_TOO_LARGE', message: "the record is 10485761 bytes (data plus partition key), over the stream's record limit (10485760: MaxRecordSizeInKiB 10240)" });
    expect(requests.slice(0, 2).map((r) => r.operation)).toEqual(['DescribeStreamSummary', 'ListShards']);
    for (const r of requests) expect(r.stream).toBe(streamArn);
    const puts = requests.filter((r) => r.operation === 'PutRecords');
    const sizeOf = (e: Entry) => Buffer.from(e.Data, 'base64').length + Buffer.byteLength(e.PartitionKey);
    for (const put of puts) {
      expect(put.entries.length).toBeLessThanOrEqual(500);
      expect(put.entries.reduce((sum, e) => sum + sizeOf(e), 0)).toBeLessThanOrEqual(10 * MiB);
    }
    const large = puts.filter((p) => p.entries.some((e) => sizeOf(e) === 10 * MiB));
    expect(large).toHaveLength(2);
    for (const p of large) expect(p.entries).toHaveLength(1);
    expect(Buffer.from(large[0].entries[0].Data, 'base64').equals(ten(1))).toBe(true);
  }, 120_000);
});
