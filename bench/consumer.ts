/**
 * Consumer figures against the embedded Kinesis (kinesalite) and DynamoDB (dynalite). Each
 * function measures one figure, creates its own stream (and lease table, via a random
 * application name) and stops everything it started; run.ts repeats them and takes medians.
 *
 *   npx tsx bench/consumer.ts [--events 100000] [--rate 2000] [--seconds 5] [--failover 10000]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createConsumer, createProducer, type ConsumerMetrics, type ConsumerOptions, type ProducerOptions } from '../src/index.ts';
import { DynamoDbLeaseStore } from '../src/leases/index.ts';
import { startLocalStack, createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { clickEvent, putClickEvents } from './click-events.ts';
import { agg } from './aws-kinesis-agg.ts';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 120_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}

/** Puts `events` click events with the framework's producer into a fresh 4-shard stream; not timed. */
export async function produceClicks(stack: LocalStack, events: number, options: Partial<ProducerOptions> = {}): Promise<string> {
  const streamName = randomName('bench-c');
  await createStream(stack.kinesis, streamName, 4);
  const producer = createProducer({ streamName, kinesis: stack.kinesis, ...options });
  await putClickEvents(producer, events);
  await producer.close();
  return streamName;
}

/**
 * consumer.recordsPerSec: one worker (handler form, no-op handler) reads `events` click events
 * (aggregated, compression 'deflate') from a 4-shard stream, from start() until every user record
 * was handled and close() has written the final checkpoints.
 */
export async function runConsumerThroughput(stack: LocalStack, events: number): Promise<{ recordsPerSec: number }> {
  const streamName = await produceClicks(stack, events, { compression: 'deflate' });
  // A deployed application's lease table exists before its workers start: created once, not timed.
  const applicationName = randomName('bench-app');
  await new DynamoDbLeaseStore(stack.dynamodb!, applicationName).ensureTable();
  const { recordsPerSec, metrics } = await timeOneWorker(
    { streamName, applicationName, kinesis: stack.kinesis, dynamodb: stack.dynamodb, idleTimeBetweenReadsInMillis: 50 },
    events,
  );
  if (!(metrics.CheckpointsWritten > 0)) throw new Error('no checkpoints written');
  return { recordsPerSec };
}

/**
 * One worker (handler form, no-op handler) reading `events` user records from TRIM_HORIZON,
 * timed from start() until every one was handled and close() has written the final checkpoints.
 */
export async function timeOneWorker(
  options: Omit<ConsumerOptions, 'handler' | 'processor'>,
  events: number,
): Promise<{ recordsPerSec: number; metrics: ConsumerMetrics }> {
  let count = 0;
  let allSeen!: () => void;
  const seen = new Promise<void>((resolve) => (allSeen = resolve));
  const consumer = createConsumer({
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    metricsIntervalMs: 0,
    ...options,
    async handler(records) {
      count += records.length;
      if (count >= events) allSeen();
    },
  });
  const started = performance.now();
  try {
    await consumer.start();
    await seen;
  } finally {
    await consumer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const metrics = consumer.metrics();
  if (metrics.RecordsProcessed !== events) throw new Error(`processed ${metrics.RecordsProcessed} of ${events}`);
  return { recordsPerSec: Math.round(events / seconds), metrics };
}

/**
 * peer.getRecordsAgg.recordsPerSec: the same events written as plain KPL aggregates
 * (compression 'none', which aws-kinesis-agg can read), read back by a plain SDK loop: the four
 * shards concurrently, GetShardIterator TRIM_HORIZON, GetRecords (Limit 1000) until a page is
 * empty, each record de-aggregated with aws-kinesis-agg (checksums on) and each user record's
 * data decoded to a Buffer (our handler gets Buffers) and handed to a no-op.
 */
export async function runGetRecordsAggPeer(stack: LocalStack, events: number): Promise<{ recordsPerSec: number }> {
  const streamName = await produceClicks(stack, events, { compression: 'none' });
  return readWithGetRecordsAgg(stack.kinesis, streamName, events);
}

/** The peer's read loop alone, on a stream of `events` plain KPL aggregates; timed from its first call. */
export async function readWithGetRecordsAgg(kinesis: KinesisClient, streamName: string, events: number): Promise<{ recordsPerSec: number }> {
  let count = 0;
  const noop = (_data: Buffer, _partitionKey: string | undefined) => {};
  const started = performance.now();
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  await Promise.all(
    Shards.map(async ({ ShardId }) => {
      let { ShardIterator: iterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records: _Record[] = page.Records ?? [];
        if (records.length === 0) break;
        for (const record of records) {
          agg.deaggregateSync(record, true, (err, userRecords) => {
            if (err) throw err;
            for (const u of userRecords!) {
              noop(Buffer.from(u.Data!, 'base64'), u.PartitionKey);
              count++;
            }
          });
        }
        iterator = page.NextShardIterator;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (count !== events) throw new Error(`peer read ${count} of ${events}`);
  return { recordsPerSec: Math.round(events / seconds) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/**
 * e2e.latency: put() to handler, one worker on a 4-shard stream (LATEST, holding all 4 leases
 * before production starts), the producer with default options but compression 'deflate'
 * putting `ratePerSec` events in 10 ms ticks for `seconds` (plus 1 s of warm-up, discarded).
 */
export async function runEndToEndLatency(stack: LocalStack, ratePerSec: number, seconds: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const streamName = randomName('bench-e2e');
  await createStream(stack.kinesis, streamName, 4);
  const latencies: number[] = [];
  let measureFrom = Infinity;
  let received = 0;
  const consumer = createConsumer({
    streamName,
    applicationName: randomName('bench-app'),
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    initialPositionInStreamExtended: 'LATEST',
    idleTimeBetweenReadsInMillis: 50,
    metricsIntervalMs: 0,
    async handler(records) {
      const at = now();
      for (const r of records) {
        const { sentAt } = JSON.parse(r.data.toString()) as { sentAt: number };
        received++;
        if (sentAt >= measureFrom) latencies.push(at - sentAt);
      }
    },
  });
  const producer = createProducer({ streamName, kinesis: stack.kinesis, compression: 'deflate' });
  let sent = 0;
  try {
    await consumer.start();
    await until(() => consumer.heldShards().length === 4);
    // LATEST iterators are taken when a shard consumer starts; give them a moment after the leases.
    await sleep(500);
    const perTick = ratePerSec / 100;
    const started = now();
    measureFrom = started + 1000;
    const end = measureFrom + seconds * 1000;
    const pending: Promise<unknown>[] = [];
    let tick = 0;
    while (now() < end) {
      const due = Math.floor((tick + 1) * perTick);
      for (; sent < due; sent++) {
        const { value, partitionKey } = clickEvent(sent);
        pending.push(producer.put({ ...value, sentAt: now() }, { partitionKey }));
      }
      tick++;
      const wait = started + tick * 10 - now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(pending);
    await until(() => received >= sent, 30_000);
  } finally {
    await producer.close();
    await consumer.close();
  }
  const sorted = latencies.sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)) };
}

const fleetWorker = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A worker's log: batches and lease takes, with their times. */
function readLog(dir: string, workerId: string): { batches: { at: number; shardId: string }[]; taken: { at: number; shardId: string }[] } {
  const file = join(dir, `${workerId}.log`);
  const log = { batches: [] as { at: number; shardId: string }[], taken: [] as { at: number; shardId: string }[] };
  if (!existsSync(file)) return log;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [at, a, b] = line.split(' ');
    if (a === 'TAKEN') log.taken.push({ at: Number(at), shardId: b });
    else if (a?.startsWith('shardId')) log.batches.push({ at: Number(at), shardId: a });
  }
  return log;
}

/**
 * consumer.handoff.gracefulMs / consumer.failover.sigkillMs: two worker processes (consumer
 * defaults but for failoverTimeMillis) on a 4-shard stream with a steady trickle of events; once
 * they hold 2 leases each, one is sent SIGTERM or SIGKILL. Measured from the signal until each of
 * its shards has had a batch processed by the other worker after the signal.
 */
export async function runHandoff(stack: LocalStack, kind: 'graceful' | 'sigkill', failoverTimeMillis: number): Promise<{ ms: number }> {
  const stream = randomName('bench-fleet');
  const app = randomName('bench-fleet-app');
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  await createStream(stack.kinesis, stream, 4);
  const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, compression: 'deflate' });
  let producing = true;
  let next = 0;
  const pending: Promise<unknown>[] = [];
  const production = (async () => {
    while (producing) {
      for (let i = 0; i < 200; i++, next++) {
        const { value, partitionKey } = clickEvent(next);
        pending.push(producer.put(value, { partitionKey }));
      }
      await sleep(50);
    }
  })();
  const children = new Map<string, ChildProcess>();
  const spawnWorker = (workerId: string) => {
    const child = fork(fleetWorker, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        KINESIS_ENDPOINT: stack.kinesisEndpoint,
        DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint!,
        STREAM: stream,
        APP: app,
        WORKER_ID: workerId,
        OUT_DIR: dir,
        FAILOVER_MS: String(failoverTimeMillis),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.set(workerId, child);
    return new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) => reject(new Error(`worker ${workerId} exited (${code ?? signal}) before starting`)));
    });
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
    await Promise.all(['w1', 'w2'].map(spawnWorker));
    await until(async () => {
      try {
        const o = await owners();
        return o.get('w1')?.length === 2 && o.get('w2')?.length === 2;
      } catch {
        return false; // the lease table is created by the first worker
      }
    }, 120_000, 100);
    const shards = (await owners()).get('w1')!;
    const signalAt = Date.now();
    children.get('w1')!.kill(kind === 'graceful' ? 'SIGTERM' : 'SIGKILL');
    // A batch w2 processes right after the signal may still come from a lease it was losing to
    // w1 during balancing: count only batches after w2 took the shard (again) after the signal.
    const handedOver = () => {
      const log = readLog(dir, 'w2');
      return shards.every((shardId) => {
        const take = log.taken.find((t) => t.shardId === shardId && t.at >= signalAt);
        return take !== undefined && log.batches.some((b) => b.shardId === shardId && b.at >= take.at);
      });
    };
    await until(handedOver, failoverTimeMillis + 120_000, 5);
    const log = readLog(dir, 'w2');
    const done = Math.max(...shards.map((shardId) => log.batches.find((b) => b.shardId === shardId && b.at >= log.taken.find((t) => t.shardId === shardId && t.at >= signalAt)!.at)!.at));
    if (process.env.BENCH_DEBUG) console.error(readFileSync(join(dir, 'w1.log'), 'utf8').split('\n').filter((l) => /TAKEN|LOST|CLOSED/.test(l)).join('\n'), '\n--\n', readFileSync(join(dir, 'w2.log'), 'utf8').split('\n').filter((l) => /TAKEN|LOST|CLOSED/.test(l)).join('\n'), '\nsignal', signalAt, shards);
    return { ms: done - signalAt };
  } finally {
    producing = false;
    await production;
    await Promise.allSettled(pending);
    await producer.close();
    await Promise.all([...children.values()].map((child) => stopChild(child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      rate: { type: 'string', default: '2000' },
      seconds: { type: 'string', default: '5' },
      failover: { type: 'string', default: '10000' },
      only: { type: 'string' },
    },
  });
  const events = Number(values.events);
  const only = values.only?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const stack = await startLocalStack();
  try {
    if (want('throughput')) console.log('consumer.recordsPerSec', (await runConsumerThroughput(stack, events)).recordsPerSec);
    if (want('peer')) console.log('peer.getRecordsAgg.recordsPerSec', (await runGetRecordsAggPeer(stack, events)).recordsPerSec);
    if (want('e2e')) {
      const e2e = await runEndToEndLatency(stack, Number(values.rate), Number(values.seconds));
      console.log(`e2e.latency at ${values.rate}/s: p50 ${e2e.p50Ms} ms, p99 ${e2e.p99Ms} ms`);
    }
    if (want('graceful')) console.log('consumer.handoff.gracefulMs', (await runHandoff(stack, 'graceful', Number(values.failover))).ms);
    if (want('sigkill')) console.log(`consumer.failover.sigkillMs (failoverTimeMillis ${values.failover})`, (await runHandoff(stack, 'sigkill', Number(values.failover))).ms);
  } finally {
    await stack.close();
  }
}
