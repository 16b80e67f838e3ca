import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/dashboard/index.ts';
import { createConsumer } from '../../src/index.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { createStream, randomName, startLocalStack, type LocalStack } from '../../src/testing/index.ts';
import type { DashboardSnapshot } from '../../src/dashboard/snapshot.ts';

async function until<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads server-sent events from `url` until `count` snapshots came. */
async function events(url: string, count: number): Promise<DashboardSnapshot[]> {
  const response = await fetch(`${url}events`);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const snapshots: DashboardSnapshot[] = [];
  while (snapshots.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const event = text.slice(0, end);
      text = text.slice(end + 2);
      if (event.startsWith('data: ')) snapshots.push(JSON.parse(event.slice(6)) as DashboardSnapshot);
    }
  }
  await reader.cancel();
  return snapshots;
}

describe('startDashboard', () => {
  let stack: LocalStack;
  const stream = randomName('dash');
  beforeAll(async () => {
    stack = await startLocalStack();
    await createStream(stack.kinesis, stream, 2);
  });
  afterAll(() => stack?.close());

  const options = () => ({ streamName: stream, kinesis: stack.kinesis, dynamodb: stack.dynamodb, intervalMs: 200, logger: silentLogger() });

  it('serves the page, the latest snapshot, and snapshots as server-sent events until closed', async () => {
    const dashboard = await startDashboard({ ...options(), applicationName: randomName('dash-app') });
    try {
      const page = await fetch(dashboard.url);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('new EventSource("events")');
      const snapshot = (await (await fetch(`${dashboard.url}snapshot`)).json()) as DashboardSnapshot;
      expect(snapshot.shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      const received = await events(dashboard.url, 3);
      expect(received).toHaveLength(3);
      expect(received[2].at).toBeGreaterThan(received[0].at);
    } finally {
      await dashboard.close();
    }
    await expect(fetch(dashboard.url)).rejects.toThrow();
  });

  it('says the lease table is missing while it is, then shows the owners once a worker created it', async () => {
    const applicationName = randomName('dash-later');
    const dashboard = await startDashboard({ ...options(), applicationName });
    const consumer = createConsumer({ streamName: stream, applicationName, workerIdentifier: 'late-worker', kinesis: stack.kinesis, dynamodb: stack.dynamodb, logger: silentLogger(), async handler() {} });
    try {
      expect(dashboard.snapshot().problems).toEqual([expect.stringContaining(`lease table '${applicationName}'`)]);
      expect(dashboard.snapshot().shards.every((s) => s.owner === undefined)).toBe(true);
      await consumer.start();
      const seen = await until(() => dashboard.snapshot(), (s) => s.problems.length === 0 && s.shards.every((shard) => shard.owner === 'late-worker'));
      expect(seen.workers).toEqual([{ workerId: 'late-worker', leases: 2, recordsPerSec: 0, errors: undefined, source: 'leases' }]);
    } finally {
      await consumer.close();
      await dashboard.close();
    }
  });

  it('rejects when the stream does not exist, leaving nothing listening and the given clients open', async () => {
    const port = await freePort();
    await expect(startDashboard({ ...options(), streamName: 'no-such-stream', applicationName: 'dash-none', port })).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
    await expect(listenOn(port)).resolves.toBeUndefined();
    expect((await startDashboard({ ...options(), applicationName: 'dash-after' }).then((d) => d.close().then(() => 'clients still usable')))).toBe('clients still usable');
  });

  it('rejects when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(startDashboard({ ...options(), applicationName: 'dash-port', port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listenOn(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
}
