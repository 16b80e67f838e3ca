import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, createProducer, type Consumer } from '../../src/index.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { createStream, randomName, readStream, startLocalStack, type LocalStack } from '../../src/testing/index.ts';
import { launchChromium } from './chromium.ts';
import { startCli, type CliProcess } from './cli-process.ts';
import { browserTestTimeoutMs, shown, until } from './dashboard-page.ts';

const shardCount = 64;

/**
 * `kinesis-actors dashboard` on a deployed fleet: two workers in this process, which the
 * dashboard (another process) knows only through the lease table and the stream, on 64 shards.
 */
describe('kinesis-actors dashboard, in a browser, at 64 shards', { timeout: browserTestTimeoutMs }, () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let cli: CliProcess;
  let dir: string;
  const workers: Consumer[] = [];
  const stream = randomName('dash64');
  const app = randomName('dash64-app');

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'dashboard-cli-'));
    stack = await startLocalStack();
    await createStream(stack.kinesis, stream, shardCount);
    for (const workerIdentifier of ['fleet-a', 'fleet-b']) {
      const consumer = createConsumer({
        streamName: stream,
        applicationName: app,
        workerIdentifier,
        kinesis: stack.kinesis,
        dynamodb: stack.dynamodb,
        initialPositionInStreamExtended: 'TRIM_HORIZON',
        idleTimeBetweenReadsInMillis: 1000,
        takerIntervalMs: 500,
        failoverTimeMillis: 6000,
        logger: silentLogger(),
        async handler() {},
      });
      workers.push(consumer);
    }
    await Promise.all(workers.map((w) => w.start()));
    cli = startCli(['dashboard', '--stream', stream, '--app', app, '--port', '0', '--interval', '500', '--endpoint', stack.kinesisEndpoint, '--dynamodb-endpoint', stack.dynamoDbEndpoint!, '--region', 'us-east-1']);
    const [, url] = await cli.waitFor(/ at (http:\/\/127\.0\.0\.1:\d+\/) /);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
  }, browserTestTimeoutMs);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.close()));
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, browserTestTimeoutMs);

  it('shows every shard with the owner the lease table has, each worker with the leases it holds, readably', async () => {
    // Records written after the dashboard started: it counts them at the tip of each shard.
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, logger: silentLogger(), workerThreads: 1, aggregationEnabled: false });
    await Promise.all(Array.from({ length: 640 }, (_, i) => producer.put({ i }, { partitionKey: `key-${i}` })));
    await producer.close();
    const contents = await readStream(stack.kinesis, stream);
    const perShard = new Map<string, number>();
    for (const r of contents.records) perShard.set(r.shardId, (perShard.get(r.shardId) ?? 0) + 1);
    const written = await until('the records written on the page', () => shown(page), (s) =>
      s.shards.length === shardCount && s.shards.every((r) => r.writtenRecords === (perShard.get(r.shardId) ?? 0)));
    expect(written.shards.reduce((sum, r) => sum + r.writtenRecords, 0)).toBe(640);

    const store = new DynamoDbLeaseStore(stack.dynamodb!, app);
    const { table, onPage } = await until('the owners on the page to be the lease table\'s, all shards leased', async () => {
      const leases = (await store.listLeases()).sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
      return { table: leases.map((l) => [l.leaseKey, l.leaseOwner ?? '–']), onPage: await shown(page) };
    }, ({ table: t, onPage: p }) => t.length === shardCount && t.every(([, owner]) => owner !== '–') && JSON.stringify(t) === JSON.stringify(p.shards.map((s) => [s.shardId, s.owner])));
    expect(onPage.workers.reduce((sum, w) => sum + w.leases, 0)).toBe(shardCount);
    for (const worker of onPage.workers) expect(worker.leases, worker.workerId).toBe(table.filter(([, owner]) => owner === worker.workerId).length);

    // Readable at 64 shards: nothing wider than the window, every shard row on one line.
    const layout = (await page.evaluate(`(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      rowHeights: [...document.querySelectorAll('#shards tbody tr')].map((r) => r.getBoundingClientRect().height),
      timelineRows: document.querySelectorAll('#timeline rect').length,
    }))()`)) as { overflow: number; rowHeights: number[]; timelineRows: number };
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(new Set(layout.rowHeights).size, 'all rows of one height: no row wraps').toBe(1);
    expect(layout.timelineRows).toBeGreaterThanOrEqual(shardCount);
    await page.screenshot({ path: join(dir, 'dashboard-64.png'), fullPage: true });
  });

  it('stops on SIGTERM with exit code 0', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('fails with exit code 1 and Kinesis\' words when the stream does not exist', async () => {
    const missing = startCli(['dashboard', '--stream', 'no-such-stream', '--app', app, '--port', '0', '--endpoint', stack.kinesisEndpoint, '--dynamodb-endpoint', stack.dynamoDbEndpoint!, '--region', 'us-east-1']);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toMatch(/kinesis-actors dashboard: \w+: .*no-such-stream/);
  });
});
