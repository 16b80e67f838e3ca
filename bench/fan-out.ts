/**
 * Enhanced fan-out beside polling, both against kinesis-local (kinesis-mock, the only emulator
 * with SubscribeToShard) with dynalite for the leases: the same fresh stream settings, the same
 * producer and consumer options but `retrieval`, in the same run. run.ts repeats them and takes
 * medians (`npm run bench -- fanout` runs only these).
 *
 *   npx tsx bench/fan-out.ts [--rate 400] [--seconds 10] [--events 100000]
 *
 * What kinesis-mock adds to every figure (its source, SubscribeToShardRequest.scala, v0.6.2): it
 * pushes a subscription's new records on a fixed one-second tick (`awakeEvery(1.second)`, up to
 * 10,000 records per event), which no setting changes; its *_DURATION settings only delay
 * control-plane operations (create, register, reshard), and the kit sets them all to 0. GetRecords
 * answers at once. So on the mock a record waits 0–1 s (0.5 s on average) for its event, where
 * Kinesis pushes it in ~70 ms; the fan-out figures measure the mock's tick as much as the consumer.
 */
import { parseArgs } from 'node:util';
import { DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { createConsumer, createProducer, type ConsumerOptions } from '../src/index.ts';
import { DynamoDbLeaseStore } from '../src/leases/index.ts';
import { startKinesisLocal, startLocalStack, createStream, randomName, type KinesisLocal, type LocalStack } from '../src/testing/index.ts';
import { clickEvent, putClickEvents } from './click-events.ts';
import { timeOneWorker } from './consumer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** How a benchmark consumer reads: polling with its default idle time (500 ms after an empty read), or fan-out with its defaults. */
export type Retrieval = 'polling' | 'fanOut';
const retrievalOption = (mode: Retrieval): ConsumerOptions['retrieval'] => (mode === 'polling' ? 'polling' : { fanOut: {} });

/** kinesis-local for the streams, dynalite for the lease tables. */
export interface FanOutStack {
  local: KinesisLocal;
  leases: LocalStack;
}

export async function withFanOutStack<T>(fn: (stack: FanOutStack) => Promise<T>): Promise<T> {
  const [local, leases] = await Promise.all([startKinesisLocal(), startLocalStack()]);
  try {
    return await fn({ local, leases });
  } finally {
    await Promise.all([local.close(), leases.close()]);
  }
}

function benchConsumer(stack: FanOutStack, streamName: string, mode: Retrieval, options: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'handler'>) {
  return createConsumer({
    streamName,
    applicationName: randomName('bench-fo-app'),
    kinesis: stack.local.kinesis,
    dynamodb: stack.leases.dynamodb,
    retrieval: retrievalOption(mode),
    metricsIntervalMs: 0,
    ...options,
  });
}

/** Latency figures of one run, ms. */
export interface Latency {
  /** put() to the handler. */
  p50Ms: number;
  p99Ms: number;
  /** put() to its acknowledgement (linger, PutRecords on the emulator). */
  ackP50Ms: number;
  /** The record's ApproximateArrivalTimestamp (set by the emulator, 1 ms resolution) to the handler: the read path alone. */
  fromArrivalP50Ms: number;
}

/**
 * e2e.<mode>.latency: put() to handler on a fresh `shards`-shard stream, one worker (LATEST,
 * holding every lease, and with fan-out every subscription open, before production starts), the
 * producer with default options but compression 'deflate' (linger 100 ms) putting `ratePerSec`
 * events in 10 ms ticks for `seconds`, plus 2 s of warm-up, discarded. Each event carries the time
 * of its put(); the handler takes the time it was handed the batch.
 */
export async function runLatency(stack: FanOutStack, mode: Retrieval, ratePerSec: number, seconds: number, shards = 4): Promise<Latency> {
  const streamName = randomName('bench-fo-e2e');
  await createStream(stack.local.kinesis, streamName, shards);
  const latencies: number[] = [];
  const fromArrival: number[] = [];
  const acks: number[] = [];
  let measureFrom = Infinity;
  let received = 0;
  const consumer = benchConsumer(stack, streamName, mode, {
    initialPositionInStreamExtended: 'LATEST',
    async handler(records) {
      const at = now();
      for (const r of records) {
        const { sentAt } = JSON.parse(r.data.toString()) as { sentAt: number };
        received++;
        if (sentAt < measureFrom) continue;
        latencies.push(at - sentAt);
        fromArrival.push(at - r.approximateArrivalTimestamp.getTime());
      }
    },
  });
  const producer = createProducer({ streamName, kinesis: stack.local.kinesis, compression: 'deflate' });
  let sent = 0;
  try {
    await consumer.start();
    await until(() => consumer.heldShards().length === shards, 60_000, 'the leases');
    if (mode === 'fanOut') await until(() => consumer.metrics().SubscriptionsStarted >= shards, 60_000, 'the subscriptions');
    // LATEST positions are taken when a shard consumer starts: give them a moment after the leases.
    await sleep(1000);
    const perTick = ratePerSec / 100;
    const started = now();
    measureFrom = started + 2000;
    const end = measureFrom + seconds * 1000;
    const pending: Promise<unknown>[] = [];
    let tick = 0;
    while (now() < end) {
      const due = Math.floor((tick + 1) * perTick);
      for (; sent < due; sent++) {
        const { value, partitionKey } = clickEvent(sent);
        const sentAt = now();
        const put = producer.put({ ...value, sentAt }, { partitionKey });
        pending.push(sentAt >= measureFrom ? put.then(() => acks.push(now() - sentAt)) : put);
      }
      tick++;
      const wait = started + tick * 10 - now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(pending);
    await until(() => received >= sent, 60_000, `all ${sent} events (got ${received})`);
  } finally {
    await producer.close();
    await consumer.close();
  }
  const p = (xs: number[], q: number) => Math.round(percentile(xs.sort((a, b) => a - b), q));
  return { p50Ms: p(latencies, 50), p99Ms: p(latencies, 99), ackP50Ms: p(acks, 50), fromArrivalP50Ms: p(fromArrival, 50) };
}

/** Registers the stream consumer a fan-out worker of `applicationName` reads as, and waits until it is ACTIVE. */
async function registerStreamConsumer(stack: FanOutStack, streamName: string, consumerName: string): Promise<void> {
  const kinesis = stack.local.kinesis;
  const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
  const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }));
  for (;;) {
    const { ConsumerDescription } = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    if (ConsumerDescription?.ConsumerStatus === 'ACTIVE') return;
    await sleep(50);
  }
}

/** Puts `events` click events (compression 'deflate') into a fresh 4-shard stream; not timed. */
export async function prefilledStream(stack: FanOutStack, events: number): Promise<string> {
  const streamName = randomName('bench-fo-c');
  await createStream(stack.local.kinesis, streamName, 4);
  const producer = createProducer({ streamName, kinesis: stack.local.kinesis, compression: 'deflate' });
  await putClickEvents(producer, events);
  await producer.close();
  return streamName;
}

/**
 * consumer.<mode>.recordsPerSec: one worker (no-op handler) reads the `events` click events of
 * `streamName` (4 shards, filled before) from TRIM_HORIZON, from start() until every user record
 * was handled and close() has written the final checkpoints. The lease table (and with fan-out
 * the stream consumer) exists before, as a deployed application's does.
 */
export async function runThroughput(stack: FanOutStack, streamName: string, mode: Retrieval, events: number): Promise<{ recordsPerSec: number }> {
  const applicationName = randomName('bench-fo-app');
  await new DynamoDbLeaseStore(stack.leases.dynamodb!, applicationName).ensureTable();
  if (mode === 'fanOut') await registerStreamConsumer(stack, streamName, applicationName);
  const { recordsPerSec, metrics } = await timeOneWorker(
    { streamName, applicationName, kinesis: stack.local.kinesis, dynamodb: stack.leases.dynamodb, retrieval: retrievalOption(mode) },
    events,
  );
  if (mode === 'fanOut' && metrics.SubscriptionsStarted < 4) throw new Error(`fan-out read with ${metrics.SubscriptionsStarted} subscriptions`);
  return { recordsPerSec };
}

/** One run of every fan-out figure and its polling counterpart, alternating which goes first (the second in a process runs warmer). */
export async function runFanOutFigures(stack: FanOutStack, run: number, o: { rate: number; seconds: number; events: number }) {
  const order: Retrieval[] = run % 2 === 0 ? ['fanOut', 'polling'] : ['polling', 'fanOut'];
  const latency = {} as Record<Retrieval, Latency>;
  for (const mode of order) latency[mode] = await runLatency(stack, mode, o.rate, o.seconds);
  // The same stream for both readers, each with a lease table of its own.
  const streamName = await prefilledStream(stack, o.events);
  const throughput = {} as Record<Retrieval, number>;
  for (const mode of order) throughput[mode] = (await runThroughput(stack, streamName, mode, o.events)).recordsPerSec;
  return {
    fanOutP50Ms: latency.fanOut.p50Ms,
    fanOutP99Ms: latency.fanOut.p99Ms,
    pollingP50Ms: latency.polling.p50Ms,
    pollingP99Ms: latency.polling.p99Ms,
    fanOutAckP50Ms: latency.fanOut.ackP50Ms,
    pollingAckP50Ms: latency.polling.ackP50Ms,
    fanOutFromArrivalP50Ms: latency.fanOut.fromArrivalP50Ms,
    pollingFromArrivalP50Ms: latency.polling.fromArrivalP50Ms,
    fanOutRecordsPerSec: throughput.fanOut,
    pollingRecordsPerSec: throughput.polling,
  };
}

/** Settings of the fan-out figures. */
export interface FanOutSettings {
  /** Events per second of the latency runs, over 4 shards. */
  rate: number;
  /** Measured seconds of each latency run. */
  seconds: number;
  /** Events in the pre-filled stream of the throughput runs. */
  events: number;
}

type FanOutRun = Awaited<ReturnType<typeof runFanOutFigures>>;
/** Each figure's median over the runs and its spread, as run.ts takes them. */
export interface RepeatedFanOut {
  median: FanOutRun;
  spread: { [K in keyof FanOutRun]: [number, number] };
}

const NAMES: [string, keyof FanOutRun][] = [
  ['e2e.fanOut.latency.p50Ms', 'fanOutP50Ms'],
  ['e2e.fanOut.latency.p99Ms', 'fanOutP99Ms'],
  ['e2e.polling.latency.p50Ms', 'pollingP50Ms'],
  ['e2e.polling.latency.p99Ms', 'pollingP99Ms'],
  ['e2e.fanOut.fromArrival.p50Ms', 'fanOutFromArrivalP50Ms'],
  ['e2e.polling.fromArrival.p50Ms', 'pollingFromArrivalP50Ms'],
  ['e2e.fanOut.putAck.p50Ms', 'fanOutAckP50Ms'],
  ['e2e.polling.putAck.p50Ms', 'pollingAckP50Ms'],
  ['consumer.fanOut.recordsPerSec', 'fanOutRecordsPerSec'],
  ['consumer.kinesisLocalPolling.recordsPerSec', 'pollingRecordsPerSec'],
];

/** The figures as latest.json holds them: each with its spread, and the settings they were taken with. */
export function fanOutEntries(r: RepeatedFanOut, settings: FanOutSettings & { runs: number }): Record<string, unknown> {
  const entries: Record<string, unknown> = { 'fanOut.settings': { ...settings, shards: 4, emulator: 'kinesis-local (kinesis-mock)' } };
  for (const [name, key] of NAMES) {
    entries[name] = r.median[key];
    entries[`${name}.spread`] = r.spread[key];
  }
  return entries;
}

/** Rows of the printed table. */
export function fanOutRows(results: Record<string, unknown>): string {
  const v = (name: string) => results[name] as number;
  const cell = (name: string) => `${v(name)} (${(results[`${name}.spread`] as number[]).join('–')})`;
  const { rate, events } = results['fanOut.settings'] as FanOutSettings;
  const goal = v('e2e.fanOut.latency.p50Ms') <= v('e2e.polling.latency.p50Ms') / 2 ? '✓' : '✗';
  return [
    `| e2e.fanOut.latency.p50Ms / p99Ms (kinesis-local, ${rate} events/s, 4 shards) | ${cell('e2e.fanOut.latency.p50Ms')} / ${cell('e2e.fanOut.latency.p99Ms')} | p50 ≤ ½ polling's ${goal} |`,
    `| e2e.polling.latency.p50Ms / p99Ms (the same, polling, idle 500 ms) | ${cell('e2e.polling.latency.p50Ms')} / ${cell('e2e.polling.latency.p99Ms')} | |`,
    `| e2e.fanOut / polling .fromArrival.p50Ms (arrival at the emulator to handler) | ${cell('e2e.fanOut.fromArrival.p50Ms')} / ${cell('e2e.polling.fromArrival.p50Ms')} | |`,
    `| e2e.fanOut / polling .putAck.p50Ms (put() to acknowledged) | ${cell('e2e.fanOut.putAck.p50Ms')} / ${cell('e2e.polling.putAck.p50Ms')} | |`,
    `| consumer.fanOut.recordsPerSec (kinesis-local, 1 worker, 4 shards, ${events} events) | ${cell('consumer.fanOut.recordsPerSec')} | ${(v('consumer.fanOut.recordsPerSec') / v('consumer.kinesisLocalPolling.recordsPerSec')).toFixed(1)}x polling |`,
    `| consumer.kinesisLocalPolling.recordsPerSec | ${cell('consumer.kinesisLocalPolling.recordsPerSec')} | |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '400' },
      seconds: { type: 'string', default: '10' },
      events: { type: 'string', default: '100000' },
    },
  });
  const o = { rate: Number(values.rate), seconds: Number(values.seconds), events: Number(values.events) };
  const figures = await withFanOutStack(async (stack) => (process.env.BENCH_ONLY_LATENCY ? { fanOut: await runLatency(stack, 'fanOut', o.rate, o.seconds), polling: await runLatency(stack, 'polling', o.rate, o.seconds) } : runFanOutFigures(stack, 0, o)));
  console.log(figures);
}
