import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { encodeAggregatedRecord } from '../../src/codec/aggregation.ts';
import { encodeEnvelope } from '../../src/codec/envelope.ts';
import { hashKeyOf } from '../../src/codec/hash-key.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import type { ConsumerMetrics } from '../../src/consumer/metrics.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { until } from './wait.ts';

const MiB = 1024 * 1024;
/** Empty user records that fit, as one aggregate, in an envelope declaring less than 16 MiB (6 bytes each). */
const BOMB_USER_RECORDS = 2_796_000;
/** Empty user records that fit in one plain 1 MiB Kinesis record. */
const LARGE_AGGREGATE_USER_RECORDS = 170_000;
/**
 * Peak RSS of the consumer process. Measured here: a consumer that decodes a whole read at once
 * dies of heap exhaustion on these records (with an 8 GB heap it peaks at 2.4 GB); bounded, it
 * peaks at 250–280 MB, of which ~100 MB is node, tsx and the SDK clients with no records at all.
 */
const PEAK_RSS_BOUND = 600 * MiB;

interface ChildReport {
  validIds: string[];
  userRecords: number;
  handlerCalls: number;
  peakRssBytes: number;
  metrics: ConsumerMetrics;
  heldShards: string[];
}

/** The empty user records of a hostile aggregate: a correct MD5, every key inside the shard. */
function emptyRecordsAggregate(partitionKey: string, userRecords: number): Buffer {
  const empty = { partitionKeyIndex: 0, data: Buffer.alloc(0) };
  return encodeAggregatedRecord({ partitionKeys: [partitionKey], explicitHashKeys: [], records: new Array(userRecords).fill(empty) });
}

/** A partition key per shard, so that aggregates are wholly inside the shard they land on. */
async function keyPerShard(stack: LocalStack, stream: string): Promise<string[]> {
  const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
  return Shards!.map((shard) => {
    const start = BigInt(shard.HashKeyRange!.StartingHashKey!);
    const end = BigInt(shard.HashKeyRange!.EndingHashKey!);
    for (let i = 0; ; i++) {
      const hashKey = hashKeyOf(`key-${i}`);
      if (hashKey >= start && hashKey <= end) return `key-${i}`;
    }
  });
}

describe('consumer memory under small hostile records that explode', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('bounds what a read costs: valid records behind bombs arrive, checkpoints pass them, the worker keeps running', async () => {
    const stream = randomName('hostile');
    const app = randomName('app');
    await createStream(stack.kinesis, stream, 2);
    const keys = await keyPerShard(stack, stream);
    const zeroEnvelope = encodeEnvelope(Buffer.alloc(16 * MiB - 1024));

    const expectedIds: string[] = [];
    const lastSequenceNumbers: string[] = [];
    let expectedUserRecords = 0;
    for (const [shard, key] of keys.entries()) {
      const bomb = encodeEnvelope(emptyRecordsAggregate(key, BOMB_USER_RECORDS), { level: 9 });
      expect(bomb.length).toBeLessThan(64 * 1024);
      const largeAggregate = emptyRecordsAggregate(key, LARGE_AGGREGATE_USER_RECORDS);
      expect(largeAggregate.length).toBeLessThan(MiB);
      let valid = 0;
      const nextValid = () => {
        const id = `${shard}-${valid++}`;
        expectedIds.push(id);
        return [Buffer.from(JSON.stringify({ id }))];
      };
      const zeroEnvelopes = new Array<Buffer>(10).fill(zeroEnvelope);
      const groups = [
        nextValid(), [bomb], nextValid(), [largeAggregate], nextValid(), zeroEnvelopes, nextValid(),
        [largeAggregate], nextValid(), zeroEnvelopes, nextValid(), [largeAggregate], nextValid(),
      ];
      for (const group of groups) {
        const { Records } = await stack.kinesis.send(
          new PutRecordsCommand({ StreamName: stream, Records: group.map((Data) => ({ Data, PartitionKey: key })) }),
        );
        lastSequenceNumbers[shard] = Records!.at(-1)!.SequenceNumber!;
      }
      // The bomb goes through raw, as one record; every other user record is delivered.
      expectedUserRecords += valid + 1 + 3 * LARGE_AGGREGATE_USER_RECORDS + 20;
    }

    let latest: ChildReport | undefined;
    let exit: string | undefined;
    const child: ChildProcess = fork(fileURLToPath(new URL('../fixtures/counting-consumer.ts', import.meta.url)), [], {
      // Fifteen times the heap the bounded consumer uses. An unbounded one runs out of it soon
      // after its first read; with 1 GB it spends most of a minute collecting garbage first.
      execArgv: ['--import', 'tsx', '--max-old-space-size=512'],
      env: { ...process.env, KINESIS_ENDPOINT: stack.kinesisEndpoint, DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint!, STREAM: stream, APP: app },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('message', (message) => (latest = message as ChildReport));
    child.on('exit', (code, signal) => (exit = `exited with ${code ?? signal}`));
    const alive = () => {
      if (exit) throw new Error(`the consumer ${exit} (peak RSS at its last report: ${peakMiB(latest)}): ${stderr}`);
      return true;
    };
    const store = new DynamoDbLeaseStore(stack.dynamodb!, app);
    try {
      await until(() => alive() && latest !== undefined && new Set(latest.validIds).size === expectedIds.length, 55_000);
      await until(async () => {
        alive();
        const leases = await store.listLeases().catch(() => []);
        return keys.every((_, shard) => leases.find((l) => l.leaseKey === `shardId-00000000000${shard}`)?.checkpoint === lastSequenceNumbers[shard]);
      });
      latest = undefined;
      child.send({ type: 'report' });
      await until(() => alive() && latest !== undefined);
      const report = latest!;
      console.log(`hostile input: consumer peak RSS ${peakMiB(report)}, ${report.handlerCalls} handler calls`);

      expect(report.peakRssBytes).toBeLessThan(PEAK_RSS_BOUND);
      expect([...report.validIds].sort()).toEqual([...expectedIds].sort());
      expect(report.userRecords).toBe(expectedUserRecords);
      // The bombs, one per shard, went through raw and were counted.
      expect(report.metrics.OversizedAggregates).toBe(2);
      expect(report.metrics.Restarts).toBe(0);
      expect(report.heldShards.sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      expect(exit).toBeUndefined();
    } finally {
      if (!exit) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});

function peakMiB(report: ChildReport | undefined): string {
  return report ? `${Math.round(report.peakRssBytes / MiB)} MiB` : 'unknown';
}
