import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.ts';
import { createProducer, type Producer } from '../../src/index.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';
import { listAllShards } from '../../src/kinesis/list-shards.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { createStream, readStream } from '../../src/testing/index.ts';
import { startClickServer } from '../../examples/demo/click-server.ts';
import { startFleet } from '../../examples/demo/fleet.ts';
import { startLoad } from '../../examples/demo/load.ts';
import { demoStack, type DemoStack } from '../../examples/demo/stack.ts';
import { launchChromium } from './chromium.ts';
import { browserTestTimeoutMs, shown, until } from './dashboard-page.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const clicks = 1500;

/**
 * The demo's stack (embedded Kinesis and DynamoDB, the click endpoint and its producer, two
 * consumer workers) with its dashboard, looked at in headless Chromium: what the page shows is
 * checked against the lease table and the stream themselves.
 */
describe('the dashboard in a browser', { timeout: browserTestTimeoutMs }, () => {
  let browser: Browser;
  let page: Page;
  let stack: DemoStack;
  let producer: Producer;
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  let click: Awaited<ReturnType<typeof startClickServer>>;
  let dashboard: Dashboard;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'dashboard-'));
    stack = await demoStack({});
    await createStream(stack.kinesis, stack.streamName, 4);
    const logger = silentLogger();
    producer = createProducer({ streamName: stack.streamName, kinesis: stack.kinesis, logger, workerThreads: 1, compression: 'deflate' });
    click = await startClickServer(producer);
    fleet = await startFleet(stack, stack.streamName, stack.applicationName, 2, logger);
    // Before any record is written, so that the tip readers count every one.
    dashboard = await startDashboard({
      streamName: stack.streamName,
      applicationName: stack.applicationName,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      consumers: fleet.consumers,
      producer,
      intervalMs: 500,
      lagIntervalMs: 2000,
      logger,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
  }, browserTestTimeoutMs);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await dashboard?.close();
    await fleet?.close();
    if (click) await new Promise<void>((resolve) => click.server.close(() => resolve()));
    await producer?.close();
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, browserTestTimeoutMs);

  it('shows the stream shards, owners and rates that the stream and the lease table have', async () => {
    const api = new SdkKinesisApi(stack.kinesis);
    const shardIds = (await listAllShards(api, stack.streamName)).map((s) => s.ShardId!).sort();
    const first = await until('the shards on the page', () => shown(page), (s) => s.shards.length > 0);
    expect(first.shards.map((s) => s.shardId)).toEqual(shardIds);

    const load = startLoad(click.url, { connections: 4, maxEvents: clicks, users: 1000 });
    // While the load runs, the page shows records written and read per second, and both workers reading.
    await until('write and read rates on the page', () => shown(page), (s) =>
      s.shards.some((r) => r.writeRecordsPerSec > 0) && s.shards.some((r) => r.readRecordsPerSec > 0) && s.workers.filter((w) => w.recordsPerSec > 0).length === 2);
    await until('the load to end', async () => load.sent, (sent) => sent >= clicks);
    await load.stop();
    await until('the producer to settle', async () => producer.metrics().UserRecordsPending, (pending) => pending === 0);
    expect(click.stats.failed).toBe(0);

    // What was written to and read from each shard, as the stream has it: Kinesis records (the
    // producer aggregates) and user records.
    const contents = await readStream(stack.kinesis, stack.streamName);
    const kinesisRecords = new Map<string, Set<string>>();
    const userRecords = new Map<string, number>();
    for (const r of contents.records) {
      kinesisRecords.set(r.shardId, (kinesisRecords.get(r.shardId) ?? new Set()).add(r.sequenceNumber));
      userRecords.set(r.shardId, (userRecords.get(r.shardId) ?? 0) + 1);
    }
    expect(contents.records.length).toBe(clicks);
    const expected = shardIds.map((shardId) => ({ shardId, written: kinesisRecords.get(shardId)?.size ?? 0, read: userRecords.get(shardId) ?? 0 }));
    const totals = await until('the totals on the page to reach what the stream holds', () => shown(page), (s) =>
      JSON.stringify(s.shards.map((r) => ({ shardId: r.shardId, written: r.writtenRecords, read: r.readRecords }))) === JSON.stringify(expected));
    expect(totals.shards.reduce((sum, r) => sum + r.readRecords, 0)).toBe(clicks);

    // Owners as the lease table has them; both workers hold leases.
    const store = new DynamoDbLeaseStore(stack.dynamodb, stack.applicationName);
    const owners = await until('the owners on the page to be the lease table\'s', async () => {
      const table = Object.fromEntries((await store.listLeases()).map((l) => [l.leaseKey, l.leaseOwner ?? '–'] as const).sort(([a], [b]) => a.localeCompare(b)));
      const onPage = Object.fromEntries((await shown(page)).shards.map((s) => [s.shardId, s.owner]));
      return { table, onPage };
    }, ({ table, onPage }) => JSON.stringify(table) === JSON.stringify(onPage));
    expect(new Set(Object.values(owners.table))).toEqual(new Set(['worker-1', 'worker-2']));
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
    expect((await stat(join(dir, 'dashboard.png'))).size).toBeGreaterThan(0);
  });

  it('shows the leases of a drained worker moving to the other', async () => {
    const store = new DynamoDbLeaseStore(stack.dynamodb, stack.applicationName);
    const held = (await store.listLeases()).filter((l) => l.leaseOwner === 'worker-1').map((l) => l.leaseKey).sort();
    expect(held.length).toBeGreaterThan(0);
    await fleet.drain('worker-1');
    const after = await until('every lease on worker-2, on the page and in the table', async () => ({
      page: await shown(page),
      table: (await store.listLeases()).map((l) => l.leaseOwner),
    }), ({ page: p, table }) =>
      p.shards.every((s) => s.owner === 'worker-2') && table.every((o) => o === 'worker-2') && held.every((shardId) => p.moves.some((m) => m.includes(`${shardId}: worker-1 →`))));
    expect(after.page.moves.filter((m) => m.includes(': worker-1 →')).length).toBeGreaterThanOrEqual(held.length);
    expect(after.page.workers.find((w) => w.workerId === 'worker-2')?.leases).toBe(4);
    await page.screenshot({ path: join(dir, 'dashboard-drained.png'), fullPage: true });
    if (process.env.DASHBOARD_SCREENSHOT) {
      await mkdir(join(root, 'examples/demo'), { recursive: true });
      await page.screenshot({ path: join(root, 'examples/demo/dashboard.png'), fullPage: true });
    }
  });
});
