/**
 * npm run bench: producer figures against the embedded Kinesis, with the peers measured in the
 * same run. Prints a table and writes bench/results/latest.json.
 *
 *   npm run bench -- --seconds 10 --events 400000 --runs 3
 *
 * --seconds: how long each producer-side throughput run offers events; --events: how many the
 * consumer-side runs read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runNullEndpoint, runProducer, runSdkLoop, withStack, type ProducerRun } from './producer.ts';
import { runKinesisAgg } from './kinesis-agg-peer.ts';
import { runPutLatencyIsolated } from './put-latency.ts';
import { runClickServer } from './click-server.ts';
import { runOverload } from './overload.ts';
import { startLocalStack } from '../src/testing/index.ts';
import { runConsumerThroughput, runEndToEndLatency, runGetRecordsAggPeer, runHandoff } from './consumer.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    events: { type: 'string', default: '400000' },
    runs: { type: 'string', default: '3' },
    'overload-seconds': { type: 'string', default: '60' },
  },
});
const seconds = Number(values.seconds);
const events = Number(values.events);
const runs = Number(values.runs);
const overloadSeconds = Number(values['overload-seconds']);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function repeat(name: string, fn: () => Promise<ProducerRun>): Promise<ProducerRun & { spread: [number, number] }> {
  const results: ProducerRun[] = [];
  for (let i = 0; i < runs; i++) {
    results.push(await fn());
    console.error(`  ${name} run ${i + 1}/${runs}: ${results.at(-1)!.eventsPerSec} events/s, ${results.at(-1)!.bytesPerEvent.toFixed(1)} B/event`);
  }
  const rates = results.map((r) => r.eventsPerSec);
  return { ...results[0], eventsPerSec: median(rates), bytesPerEvent: median(results.map((r) => r.bytesPerEvent)), spread: [Math.min(...rates), Math.max(...rates)] };
}

const figures = await withStack(async (stack) => {
  const producer = await repeat('producer (deflate)', () => runProducer(stack, seconds));
  const kpl = await repeat('producer (compression none: KPL format)', () => runProducer(stack, seconds, { compression: 'none' }));
  const sdk = await repeat('plain SDK PutRecords loop', () => runSdkLoop(stack, seconds));
  const kinesisAgg = await repeat('aws-kinesis-agg + SDK', () => runKinesisAgg(stack, seconds));
  const latencies: { p50Us: number; p99Us: number }[] = [];
  for (let i = 0; i < runs; i++) {
    latencies.push(await runPutLatencyIsolated(Math.round(producer.eventsPerSec / 2), 5));
    console.error(`  put() latency run ${i + 1}/${runs} at ${Math.round(producer.eventsPerSec / 2)} events/s: p50 ${latencies.at(-1)!.p50Us} us, p99 ${latencies.at(-1)!.p99Us} us`);
  }
  const p99s = latencies.map((l) => l.p99Us);
  const latency = { p50Us: median(latencies.map((l) => l.p50Us)), p99Us: median(p99s), p99Spread: [Math.min(...p99s), Math.max(...p99s)] };
  const clicks: { withProducer: number; without: number }[] = [];
  for (let i = 0; i < runs; i++) {
    clicks.push(await runClickServer(stack, 5));
    console.error(`  click server run ${i + 1}/${runs}: ${clicks.at(-1)!.withProducer} rps with the producer, ${clicks.at(-1)!.without} without`);
  }
  const clickServer = { withProducer: median(clicks.map((c) => c.withProducer)), without: median(clicks.map((c) => c.without)) };
  return { producer, kpl, sdk, kinesisAgg, latency, clickServer };
});
const consumerFigures = await (async () => {
  // Consumers need DynamoDB too: a stack of their own, with both emulators.
  const stack = await startLocalStack();
  try {
    const consumer: number[] = [];
    const peer: number[] = [];
    for (let i = 0; i < runs; i++) {
      // alternated, since whichever runs second in a process is slower
      if (i % 2 === 0) {
        consumer.push((await runConsumerThroughput(stack, events)).recordsPerSec);
        peer.push((await runGetRecordsAggPeer(stack, events)).recordsPerSec);
      } else {
        peer.push((await runGetRecordsAggPeer(stack, events)).recordsPerSec);
        consumer.push((await runConsumerThroughput(stack, events)).recordsPerSec);
      }
      console.error(`  consumer run ${i + 1}/${runs}: ${consumer.at(-1)} records/s; GetRecords + aws-kinesis-agg: ${peer.at(-1)} records/s`);
    }
    const latency = await runEndToEndLatency(stack, 2000, 5);
    console.error(`  end-to-end latency at 2,000 events/s: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`);
    const graceful = await runHandoff(stack, 'graceful', 10_000);
    const sigkill = await runHandoff(stack, 'sigkill', 10_000);
    console.error(`  hand-off: graceful ${graceful.ms} ms, after SIGKILL ${sigkill.ms} ms (failover 10,000 ms)`);
    return { consumer: median(consumer), peer: median(peer), latency, graceful: graceful.ms, sigkill: sigkill.ms };
  } finally {
    await stack.close();
  }
})();
const nullEndpoint = await repeat('producer against the null endpoint', () => runNullEndpoint(seconds));
const overload = await runOverload(2 * nullEndpoint.eventsPerSec, overloadSeconds);
console.error(`  overload at ${2 * nullEndpoint.eventsPerSec} events/s offered for ${overloadSeconds} s: ${JSON.stringify(overload)}`);

const results = {
  machine: { cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  seconds,
  events,
  runs,
  'producer.eventsPerSec': figures.producer.eventsPerSec,
  'producer.eventsPerSec.spread': figures.producer.spread,
  'producer.kplFormat.eventsPerSec': figures.kpl.eventsPerSec,
  'peer.sdkPutRecords.eventsPerSec': figures.sdk.eventsPerSec,
  'peer.kinesisAgg.eventsPerSec': figures.kinesisAgg.eventsPerSec,
  'producer.nullEndpoint.eventsPerSec': nullEndpoint.eventsPerSec,
  'producer.put.p50Us': figures.latency.p50Us,
  'producer.put.p99Us': figures.latency.p99Us,
  'producer.put.p99Us.spread': figures.latency.p99Spread,
  'clickServer.rps.withProducer': figures.clickServer.withProducer,
  'clickServer.rps.without': figures.clickServer.without,
  'producer.rss.overloadMb': overload.rssMb,
  'consumer.recordsPerSec': consumerFigures.consumer,
  'peer.getRecordsAgg.recordsPerSec': consumerFigures.peer,
  'e2e.latency.p50Ms': consumerFigures.latency.p50Ms,
  'e2e.latency.p99Ms': consumerFigures.latency.p99Ms,
  'consumer.handoff.gracefulMs': consumerFigures.graceful,
  'consumer.failover.sigkillMs': consumerFigures.sigkill,
  'producer.bytesPerEvent': Number(figures.producer.bytesPerEvent.toFixed(1)),
  'peer.kplFormat.bytesPerEvent': Number(figures.kpl.bytesPerEvent.toFixed(1)),
  'peer.sdkPutRecords.bytesPerEvent': Number(figures.sdk.bytesPerEvent.toFixed(1)),
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');

const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
console.log(`
| figure | value | ratio |
|---|---|---|
| producer.eventsPerSec (kinesalite, 4 shards) | ${results['producer.eventsPerSec']} (${figures.producer.spread.join('–')}) | ${ratio(results['producer.eventsPerSec'], results['peer.sdkPutRecords.eventsPerSec'])} the SDK loop |
| producer.kplFormat.eventsPerSec (compression off) | ${results['producer.kplFormat.eventsPerSec']} | |
| peer.sdkPutRecords.eventsPerSec | ${results['peer.sdkPutRecords.eventsPerSec']} | |
| peer.kinesisAgg.eventsPerSec | ${results['peer.kinesisAgg.eventsPerSec']} | producer is ${ratio(results['producer.eventsPerSec'], results['peer.kinesisAgg.eventsPerSec'])} |
| producer.nullEndpoint.eventsPerSec (16 shards) | ${results['producer.nullEndpoint.eventsPerSec']} | |
| producer.put.p50Us / p99Us (at half the ceiling, own process) | ${results['producer.put.p50Us']} / ${results['producer.put.p99Us']} (p99 ${figures.latency.p99Spread.join('–')}) | |
| clickServer.rps.withProducer / without | ${results['clickServer.rps.withProducer']} / ${results['clickServer.rps.without']} | ${(results['clickServer.rps.withProducer'] / results['clickServer.rps.without']).toFixed(2)} |
| producer.rss.overloadMb (default limits: ${overload.limitMb} MB outstanding) | ${results['producer.rss.overloadMb']} (peak ${overload.peakRssMb}) | limit + ${results['producer.rss.overloadMb'] - overload.limitMb} MB |
| consumer.recordsPerSec (1 worker, 4 shards) | ${results['consumer.recordsPerSec']} | ${ratio(results['consumer.recordsPerSec'], results['peer.getRecordsAgg.recordsPerSec'])} the GetRecords + aws-kinesis-agg loop |
| peer.getRecordsAgg.recordsPerSec | ${results['peer.getRecordsAgg.recordsPerSec']} | |
| e2e.latency.p50Ms / p99Ms (2,000 events/s) | ${results['e2e.latency.p50Ms']} / ${results['e2e.latency.p99Ms']} | |
| consumer.handoff.gracefulMs / consumer.failover.sigkillMs (failover 10,000 ms) | ${results['consumer.handoff.gracefulMs']} / ${results['consumer.failover.sigkillMs']} | |
| producer.bytesPerEvent (deflate) | ${results['producer.bytesPerEvent']} | ${ratio(results['peer.kplFormat.bytesPerEvent'], results['producer.bytesPerEvent'])} fewer than KPL format |
| peer.kplFormat.bytesPerEvent | ${results['peer.kplFormat.bytesPerEvent']} | |
| peer.sdkPutRecords.bytesPerEvent | ${results['peer.sdkPutRecords.bytesPerEvent']} | |
`);
