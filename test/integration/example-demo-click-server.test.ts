// The demo's click endpoint (examples/demo/click-server.ts) on the embedded Kinesis: clicks go
// to send(), 503 with Retry-After when the producer does not take one, 400 for a record it
// refuses, and failures after acceptance counted from producer.recordFailed.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { createStream, randomName, readStream, startLocalStack, type LocalStack } from '../../src/testing/index.ts';
import { startClickServer } from '../../examples/demo/click-server.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dynamodb: false });
});

afterAll(async () => {
  await stack?.close();
});

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function post(url: string, body: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text.startsWith('{') ? (JSON.parse(text) as { code?: string }) : text };
}

describe('the demo click server', () => {
  it('answers 202 for clicks the producer took, 503 when it is full, 400 for a bad record, and puts exactly the clicks it took', async () => {
    const streamName = randomName('demo-click');
    await createStream(stack.kinesis, streamName, 2);
    const producer = createProducer({ streamName, kinesis: stack.kinesis, maxOutstandingRecords: 2, backpressure: 'reject', recordMaxBufferedTime: 600_000 });
    const { url, server, stats } = await startClickServer(producer);
    const click = (id: string, userId: string) => post(url, JSON.stringify({ id, userId }));
    expect((await click('a', 'u1')).status).toBe(202);
    expect((await click('b', 'u2')).status).toBe(202);
    expect(await click('c', 'u3')).toEqual({ status: 503, retryAfter: '1', body: { code: 'BACKPRESSURE' } });
    expect(await click('bad', 'k'.repeat(257))).toMatchObject({ status: 400, body: { code: 'INVALID_PARTITION_KEY' } });
    expect((await post(url, '{not json')).status).toBe(400);
    expect((await fetch(url.replace('/click', '/other'))).status).toBe(404);
    await close(server);
    await producer.flush();
    expect([...stats.putByShard.values()].reduce((a, b) => a + b, 0)).toBe(2);
    await producer.close();
    expect(stats).toMatchObject({ requests: 6, accepted: 2, rejected: 1, failed: 0 });
    const { records } = await readStream(stack.kinesis, streamName);
    expect(records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: string }).id).sort()).toEqual(['a', 'b']);
    // Every record put is counted under the shard Kinesis put it in.
    const byShard = new Map<string, number>();
    for (const r of records) byShard.set(r.shardId, (byShard.get(r.shardId) ?? 0) + 1);
    expect(stats.putByShard).toEqual(byShard);
  });

  it('counts a click it took that then failed for good (the stream does not exist), and answers 503 once the producer is closed', async () => {
    const producer = createProducer({ streamName: randomName('missing'), kinesis: stack.kinesis, recordTtl: 200, retryBaseDelayMs: 20, retryMaxDelayMs: 50, logger: silentLogger() });
    const { url, server, stats } = await startClickServer(producer);
    expect((await post(url, JSON.stringify({ id: 'lost', userId: 'u1' }))).status).toBe(202);
    await producer.flush();
    expect(stats.failed).toBe(1);
    await producer.close();
    expect(await post(url, JSON.stringify({ id: 'late', userId: 'u1' }))).toEqual({ status: 503, retryAfter: '1', body: { code: 'PRODUCER_CLOSED' } });
    await close(server);
    expect(stats).toMatchObject({ accepted: 1, rejected: 1, failed: 1, putByShard: new Map() });
  });
});
