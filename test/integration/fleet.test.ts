import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createProducer, type Producer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { clickEvent } from './producer-helpers.ts';
import { until } from './wait.ts';

const worker = fileURLToPath(new URL('../fixtures/fleet-worker.ts', import.meta.url));
const FAILOVER_MS = 3000;

interface LogLine {
  at: number;
  shardId: string;
  ids: number[];
}

function readLog(dir: string, workerId: string): { batches: LogLine[]; taken: { at: number; shardId: string; from: string }[] } {
  const file = join(dir, `${workerId}.log`);
  if (!existsSync(file)) return { batches: [], taken: [] };
  const batches: LogLine[] = [];
  const taken: { at: number; shardId: string; from: string }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [at, a, b, c] = line.split(' ');
    if (!a) continue;
    if (a === 'TAKEN') taken.push({ at: Number(at), shardId: b, from: c });
    else if (a.startsWith('shardId')) batches.push({ at: Number(at), shardId: a, ids: b ? b.split(',').map(Number) : [] });
  }
  return { batches, taken };
}


function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe('a fleet of three worker processes on a 6-shard stream', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('spreads leases 2/2/2, hands over at once on SIGTERM, after expiry on SIGKILL, and processes every record', async () => {
    const stream = randomName('fleet');
    const app = randomName('fleet-app');
    const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
    await createStream(stack.kinesis, stream, 6);
    const producer: Producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    let next = 0;
    let producing = true;
    const pending: Promise<unknown>[] = [];
    const production = (async () => {
      while (producing) {
        for (let i = 0; i < 200; i++, next++) pending.push(producer.put(clickEvent(next).value, { partitionKey: clickEvent(next).partitionKey }));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const children = new Map<string, ChildProcess>();
    const spawnWorker = (workerId: string) => {
      const child = fork(worker, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          KINESIS_ENDPOINT: stack.kinesisEndpoint,
          DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint!,
          STREAM: stream,
          APP: app,
          WORKER_ID: workerId,
          OUT_DIR: dir,
          FAILOVER_MS: String(FAILOVER_MS),
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      children.set(workerId, child);
      return new Promise<void>((resolve) => child.on('message', () => resolve()));
    };
    const owners = async () => {
      const { Items } = await stack.dynamodb!.send(new ScanCommand({ TableName: app, ConsistentRead: true }));
      const byOwner = new Map<string, string[]>();
      for (const item of Items ?? []) {
        const owner = item.leaseOwner?.S ?? '(none)';
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), item.leaseKey.S!]);
      }
      return byOwner;
    };
    try {
      await Promise.all(['w1', 'w2', 'w3'].map(spawnWorker));
      await until(async () => {
        const o = await owners();
        return ['w1', 'w2', 'w3'].every((w) => o.get(w)?.length === 2);
      });

      // Graceful: SIGTERM w1; its two shards must be read by another worker well before failover.
      const w1Shards = (await owners()).get('w1')!;
      const sigtermAt = Date.now();
      children.get('w1')!.kill('SIGTERM');
      const readAgain = (shards: string[], after: number, by: string[]) => () =>
        shards.every((shardId) => by.some((w) => readLog(dir, w).batches.some((b) => b.shardId === shardId && b.at > after)));
      await until(readAgain(w1Shards, sigtermAt, ['w2', 'w3']));
      const gracefulMs = Date.now() - sigtermAt;

      // Crash: SIGKILL w2; its shards move to w3 only after they expire.
      await until(async () => (await owners()).get('w2')?.length === 3);
      const w2Shards = (await owners()).get('w2')!;
      const sigkillAt = Date.now();
      children.get('w2')!.kill('SIGKILL');
      await until(readAgain(w2Shards, sigkillAt, ['w3']));
      const failoverMs = Date.now() - sigkillAt;
      console.log(`fleet: graceful hand-off ${gracefulMs} ms, failover after SIGKILL ${failoverMs} ms (failoverTime ${FAILOVER_MS} ms)`);
      // Structural, not timed: w1 released its leases (taken with no previous owner), while
      // w2's were taken from w2 itself once they had expired.
      const takes = ['w2', 'w3'].flatMap((w) => readLog(dir, w).taken);
      for (const shardId of w1Shards) expect(takes.some((t) => t.shardId === shardId && t.at > sigtermAt && t.from === '-')).toBe(true);
      for (const shardId of w2Shards) expect(takes.some((t) => t.shardId === shardId && t.at > sigkillAt && t.from === 'w2')).toBe(true);

      producing = false;
      await production;
      await Promise.all(pending);
      await producer.close();
      const total = next;
      await until(() => {
        const seen = new Set<number>();
        for (const w of ['w1', 'w2', 'w3']) for (const b of readLog(dir, w).batches) for (const id of b.ids) seen.add(id);
        return seen.size === total;
      });
      let deliveries = 0;
      for (const w of ['w1', 'w2', 'w3']) for (const b of readLog(dir, w).batches) deliveries += b.ids.length;
      // Duplicates come only from batches in flight when a lease moved: at most one batch per move.
      let moves = 0;
      let largestBatch = 0;
      for (const w of ['w1', 'w2', 'w3']) {
        const log = readLog(dir, w);
        moves += log.taken.filter((t) => t.from !== '-').length;
        for (const b of log.batches) largestBatch = Math.max(largestBatch, b.ids.length);
      }
      console.log(`fleet: ${total} events, ${deliveries - total} duplicate deliveries, ${moves} leases moved from a live or dead owner, largest batch ${largestBatch}`);
      expect(deliveries - total).toBeLessThanOrEqual(moves * largestBatch);
      // The last worker drains too, so nothing talks to the emulators once the test ends.
      await stopChild(children.get('w3')!, 'SIGTERM');
    } finally {
      producing = false;
      await Promise.all([...children.values()].map((child) => stopChild(child, 'SIGKILL')));
    }
  });
});
