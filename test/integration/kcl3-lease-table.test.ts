import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { runCli } from '../../src/cli/cli.ts';
import { describeLeaseTable } from '../../src/leases/describe-lease-table.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { kcl3CoordinatorItems, kcl3LeaseItem, putItems, type Item } from '../fixtures/kcl3-items.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { until } from './wait.ts';

const KCL_WORKERS = ['kcl-worker-1', 'kcl-worker-2'];

describe('a lease table shared with a KCL 3.5 fleet (worker metrics and coordinator state in it)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => stack.close());

  /** A lease table holding the KCL's non-lease items and two KCL-written leases. */
  async function sharedTable(): Promise<{ store: DynamoDbLeaseStore; coordinatorItems: Item[] }> {
    const store = new DynamoDbLeaseStore(stack.dynamodb!, randomName('kcl3'));
    await store.ensureTable();
    const coordinatorItems = kcl3CoordinatorItems(KCL_WORKERS);
    await putItems(stack.dynamodb!, store.tableName, [
      ...coordinatorItems,
      kcl3LeaseItem('shardId-000000000000', { leaseOwner: 'kcl-worker-1', leaseCounter: 7 }),
      kcl3LeaseItem('shardId-000000000001'),
    ]);
    return { store, coordinatorItems };
  }

  async function item(tableName: string, leaseKey: string): Promise<Item | undefined> {
    return (await stack.dynamodb!.send(new GetItemCommand({ TableName: tableName, Key: { leaseKey: { S: leaseKey } }, ConsistentRead: true }))).Item;
  }

  it('lists and gets only the leases; the other items are skipped, as the KCL’s serializer skips them', async () => {
    const { store } = await sharedTable();
    const leases = await store.listLeases();
    expect(leases.map((l) => l.leaseKey).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(leases.find((l) => l.leaseKey === 'shardId-000000000000')).toMatchObject({ leaseOwner: 'kcl-worker-1', leaseCounter: 7 });
    expect(await store.getLease('Leader')).toBeUndefined();
    expect(await store.getLease('Migration3.0')).toBeUndefined();
    expect(await store.getLease('kcl-worker-1')).toBeUndefined();
    expect(await store.getLease('shardId-000000000001')).toMatchObject({ leaseCounter: 1, checkpoint: 'TRIM_HORIZON' });
  });

  it('still refuses, by name, an item that claims to be a lease but is broken', async () => {
    const { store } = await sharedTable();
    const broken = kcl3LeaseItem('shardId-000000000009');
    delete broken.checkpoint;
    await putItems(stack.dynamodb!, store.tableName, [broken]);
    const error = await store.listLeases().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MalformedLeaseError', code: 'LEASE_STORE_ERROR', retriable: false, leaseKey: 'shardId-000000000009' });
    expect((error as Error).message).toContain('lease item "shardId-000000000009" is malformed: checkpoint is missing');
  });

  it('describeLeaseTable and the CLI’s leases command show the leases only, and a hand-off in progress', async () => {
    const stream = randomName('kcl3-cli');
    await createStream(stack.kinesis, stream, 2);
    const { store } = await sharedTable();
    await putItems(stack.dynamodb!, store.tableName, [kcl3LeaseItem('shardId-000000000002', { leaseOwner: 'kcl-worker-2', checkpointOwner: 'kcl-worker-1', leaseCounter: 3 })]);
    const rows = await describeLeaseTable({ kinesis: stack.kinesis, dynamodb: stack.dynamodb!, applicationName: store.tableName, streamName: stream });
    expect(rows.map((r) => [r.shardId, r.owner, r.handingOverFrom, r.leaseCounter])).toEqual([
      ['shardId-000000000000', 'kcl-worker-1', undefined, 7],
      ['shardId-000000000001', undefined, undefined, 1],
      ['shardId-000000000002', 'kcl-worker-2', 'kcl-worker-1', 3],
    ]);

    let stdout = '';
    let stderr = '';
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
    const code = await runCli([
      'leases', store.tableName, '--stream', stream,
      '--endpoint', stack.kinesisEndpoint, '--dynamodb-endpoint', stack.dynamoDbEndpoint!, '--region', 'us-east-1',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^shard\s+owner\s+counter\s+checkpoint\s+lag$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['shardId-000000000000', 'kcl-worker-1', '7'],
      ['shardId-000000000001', '(free)', '1'],
      ['shardId-000000000002', 'kcl-worker-2 (from kcl-worker-1)', '3'],
    ]);
  });

  it('a consumer starts, takes the KCL leases, processes the stream, and leaves the KCL’s items as they were', async () => {
    const stream = randomName('kcl3-consume');
    await createStream(stack.kinesis, stream, 2);
    await putClickEvents(stack.kinesis, stream, range(2000));
    const { store, coordinatorItems } = await sharedTable();
    const seen = new Set<number>();
    // Every throughputKBps this consumer's renewals write, per shard.
    const written = new Map<string, number[]>();
    const send = stack.dynamodb!.send.bind(stack.dynamodb!) as (command: unknown) => Promise<unknown>;
    vi.spyOn(stack.dynamodb!, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof UpdateItemCommand && command.input.ExpressionAttributeValues?.[':throughput']) {
        const shard = command.input.Key!.leaseKey.S!;
        written.set(shard, [...(written.get(shard) ?? []), Number(command.input.ExpressionAttributeValues[':throughput'].N)]);
      }
      return send(command);
    }) as never);
    const consumer = createConsumer({
      streamName: stream,
      applicationName: store.tableName,
      workerIdentifier: 'kinesis-actors-1',
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      // kcl-worker-1 is gone: its lease expires after one failover time.
      failoverTimeMillis: 500,
      idleTimeBetweenReadsInMillis: 50,
      handler: async (records) => {
        for (const r of records) seen.add((JSON.parse(r.data.toString()) as { id: number }).id);
      },
    });
    try {
      await consumer.start();
      await until(() => seen.size === 2000);
      // The bytes read are written at each shard's next renewal.
      await until(() => ['shardId-000000000000', 'shardId-000000000001'].every((shard) => (written.get(shard) ?? []).some((kbps) => kbps > 0)));
    } finally {
      await consumer.close();
    }
    expect(consumer.metrics().LeasesTaken).toBe(2);
    for (const kclItem of coordinatorItems) expect(await item(store.tableName, kclItem.leaseKey.S!)).toEqual(kclItem);
    const { Items } = await stack.dynamodb!.send(new ScanCommand({ TableName: store.tableName }));
    expect(Items).toHaveLength(coordinatorItems.length + 2);
    // The KCL's own attributes on its leases survive this framework's take, checkpoints and
    // release; throughputKBps, in the KCL's unit, is now this consumer's measure of each shard.
    for (const shard of ['shardId-000000000000', 'shardId-000000000001']) {
      const stored = await item(store.tableName, shard);
      expect(stored).toMatchObject({ entityType: { S: 'LEASE' } });
      expect(Number(stored!.throughputKBps!.N)).toBe(written.get(shard)!.at(-1));
    }
  });
});
