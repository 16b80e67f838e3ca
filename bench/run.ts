/**
 * npm run bench: producer figures against the embedded Kinesis, with the peers measured in the
 * same run. Prints a table and writes bench/results/latest.json.
 *
 *   npm run bench -- --seconds 10 --events 400000 --runs 3
 *   npm run bench -- fanout      # only enhanced fan-out beside polling (bench/fan-out.ts), merged into latest.json
 *   npm run bench -- click       # only the click server, four ways (bench/click-server.ts), merged into latest.json
 *   npm run bench -- consumer    # only the consumer's CPU per record beside the peer's (bench/consumer-cpu.ts), merged likewise
 *   npm run bench -- producer    # only the calling thread's CPU per event and the overload memory (bench/producer-cpu.ts), merged likewise
 *   npm run bench -- throughput  # only the producer beside the SDK loop and aws-kinesis-agg on the embedded Kinesis, merged likewise
 *
 * --seconds: how long each producer-side throughput run offers events; --events: how many the
 * consumer-side runs read; --lease-scales: which scales of the lease simulation run last
 * (small, medium, large; `npm run simulate` runs them all).
 *
 * The producer runs with compression 'deflate' everywhere but in the `producer.kplFormat.*`
 * figures (compression 'none', the default: plain KPL records), which measure the same load for
 * comparison.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runProducer, runSdkLoop, withStack, type ProducerRun } from './producer.ts';
import { runKinesisAgg } from './kinesis-agg-peer.ts';
import { runPutLatencyIsolated } from './put-latency.ts';
import { runClickServer } from './click-server.ts';
import { runOverload } from './overload.ts';
import { COLD_RATE, runCallerCpu, runCallerCpuCold } from './producer-cpu.ts';
import { startLocalStack, type LocalStack } from '../src/testing/index.ts';
import { runConsumerThroughput, runEndToEndLatency, runGetRecordsAggPeer, runHandoff } from './consumer.ts';
import { fanOutEntries, fanOutRows, runFanOutFigures, withFanOutStack } from './fan-out.ts';
import { consumerCpuEntries, consumerCpuRows, runConsumerCpu } from './consumer-cpu.ts';
import { runLeaseSimulation } from './lease-simulation/run-simulation.ts';
import { writeResults as writeLeaseSimulation } from './lease-simulation/report.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '10' },
    events: { type: 'string', default: '400000' },
    runs: { type: 'string', default: '3' },
    'overload-seconds': { type: 'string', default: '60' },
    'fanout-rate': { type: 'string', default: '400' },
    'fanout-seconds': { type: 'string', default: '10' },
    'fanout-events': { type: 'string', default: '100000' },
    // Lease simulation scales (small, medium, large; see bench/lease-simulation/scales.ts).
    'lease-scales': { type: 'string', default: 'small' },
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

type Figures = Record<string, number>;
/** Each figure's median over the runs, and its spread [lowest, highest]. */
interface Repeated<T extends Figures> {
  median: T;
  spread: { [K in keyof T]: [number, number] };
}

/** Runs a measurement `runs` times, logging each run, and takes each figure's median and spread. */
async function repeated<T extends Figures>(name: string, fn: (run: number) => Promise<T>): Promise<Repeated<T>> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) {
    results.push(await fn(i));
    console.error(`  ${name} run ${i + 1}/${runs}: ${JSON.stringify(results.at(-1))}`);
  }
  const medians = {} as T;
  const spread = {} as Repeated<T>['spread'];
  for (const key of Object.keys(results[0]) as (keyof T)[]) {
    const values = results.map((r) => r[key] as number);
    medians[key] = median(values) as T[keyof T];
    spread[key] = [Math.min(...values), Math.max(...values)];
  }
  return { median: medians, spread };
}

/** A figure and its spread, as latest.json holds them. */
const entry = <T extends Figures>(name: string, r: Repeated<T>, key: keyof T) => ({ [name]: r.median[key], [`${name}.spread`]: r.spread[key] });

const producerRun = ({ eventsPerSec, bytesPerEvent, batchesPerRequest }: ProducerRun) => ({
  eventsPerSec,
  bytesPerEvent: Number(bytesPerEvent.toFixed(1)),
  ...(batchesPerRequest === undefined ? {} : { batchesPerRequest: Number(batchesPerRequest.toFixed(2)) }),
});

// Enhanced fan-out beside polling, on kinesis-local; alone with `npm run bench -- fanout`.
const fanOutSettings = { rate: Number(values['fanout-rate']), seconds: Number(values['fanout-seconds']), events: Number(values['fanout-events']) };
const runFanOut = async () =>
  fanOutEntries(
    await withFanOutStack((stack) =>
      repeated(`fan-out and polling on kinesis-local (${fanOutSettings.rate} events/s; ${fanOutSettings.events} events)`, (run) => runFanOutFigures(stack, run, fanOutSettings)),
    ),
    { ...fanOutSettings, runs },
  );
// The click server four ways, interleaved (bench/click-server.ts); alone with `npm run bench -- click`.
const clickSeconds = 5;
const runClick = (stack: LocalStack) => repeated('click server (rps; no-op, producer, PutRecord peer, aws-kinesis-agg peer)', (run) => runClickServer(stack, clickSeconds, run));
const clickEntries = (r: Awaited<ReturnType<typeof runClick>>) => ({
  // The machine's load average (1, 5, 15 min) when the runs ended: the figures move with it.
  'clickServer.settings': { runs, secondsPerServer: clickSeconds, sliceSeconds: 1, connections: 32, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) },
  ...entry('clickServer.rps.withProducer', r, 'withProducer'),
  ...entry('clickServer.rps.without', r, 'without'),
  ...entry('clickServer.rps.putRecordPeer', r, 'putRecordPeer'),
  ...entry('clickServer.rps.kinesisAggPeer', r, 'kinesisAggPeer'),
  ...entry('clickServer.ratio.withProducer', r, 'ratioWithProducer'),
  ...entry('clickServer.ratio.putRecordPeer', r, 'ratioPutRecordPeer'),
  ...entry('clickServer.ratio.kinesisAggPeer', r, 'ratioKinesisAggPeer'),
});
const clickRows = (results: Record<string, unknown>) => {
  const c = (name: string) => `${results[name] as number} (${(results[`${name}.spread`] as [number, number]).join('–')})`;
  return [
    `| clickServer.rps.without (no-op in the producer's place) | ${c('clickServer.rps.without')} | |`,
    ...(['withProducer', 'putRecordPeer', 'kinesisAggPeer'] as const).map((k) => `| clickServer.rps.${k} | ${c(`clickServer.rps.${k}`)}: ${c(`clickServer.ratio.${k}`)} of without | ${k === 'withProducer' ? 'ratio ≥ 0.9' : ''} |`),
  ].join('\n');
};

// The consumer and the peer each in a process of its own, against this process's emulators; alone with `npm run bench -- consumer`.
const runConsumerCpuFigures = async (stack: Awaited<ReturnType<typeof startLocalStack>>) =>
  consumerCpuEntries(await repeated('consumer and GetRecords + aws-kinesis-agg, each in its own process (CPU per record)', (run) => runConsumerCpu(stack, events, run)), { events, runs });

// The calling thread's CPU per event, the ceiling and the memory under overload, on the compiled
// package; alone with `npm run bench -- producer`.
const runProducerCpu = async () => {
  const callers = await repeated('calling thread CPU per event (null endpoint, compiled package)', (run) => runCallerCpu(seconds, run));
  const cold = await repeated(`calling thread CPU per event on the cold path (${COLD_RATE} events/s)`, (run) => runCallerCpuCold(seconds, run));
  const offered = 2 * callers.median['send.eventsPerSec'];
  const overload = await repeated(`overload at ${offered} events/s for ${overloadSeconds} s (compiled package)`, async () => {
    const { rssMb, peakRssMb, idleRssMb, limitMb, mem, outstanding, rejected } = await runOverload(offered, overloadSeconds);
    console.error(`    memory: ${JSON.stringify(mem)} MB; outstanding: ${JSON.stringify(outstanding)}; rejected: ${rejected}`);
    return { rssMb, peakRssMb, idleRssMb, limitMb };
  });
  const entries: Record<string, unknown> = {};
  for (const key of Object.keys(callers.median)) Object.assign(entries, entry(`producer.caller.${key}`, callers, key));
  for (const key of Object.keys(cold.median)) Object.assign(entries, entry(`producer.cold.${key}`, cold, key));
  entries['producer.cold.eventsPerSec'] = COLD_RATE;
  // The ceiling is the same runs' rate against the null endpoint.
  for (const mode of ['put', 'send', 'putMany']) Object.assign(entries, entry(`producer.nullEndpoint.${mode === 'put' ? '' : `${mode}.`}eventsPerSec`, callers, `${mode}.eventsPerSec`));
  Object.assign(
    entries,
    entry('producer.rss.overloadMb', overload, 'rssMb'),
    entry('producer.rss.overloadPeakMb', overload, 'peakRssMb'),
    entry('producer.rss.idleMb', overload, 'idleRssMb'),
    { 'producer.rss.limitMb': overload.median.limitMb, 'producer.rss.offeredEventsPerSec': offered },
  );
  return entries;
};
const producerCpuRows = (r: Record<string, unknown>) => {
  const cell = (name: string) => `${r[name] as number} (${(r[`${name}.spread`] as number[]).join('–')})`;
  const rows = ['floor', 'put', 'send', 'putMany'].map(
    (mode) =>
      `| producer.caller.${mode}: calling thread / all threads, µs per event; events/s | ${cell(`producer.caller.${mode}.mainUs`)} / ${cell(`producer.caller.${mode}.allUs`)}; ${cell(`producer.caller.${mode}.eventsPerSec`)} | ${mode === 'floor' ? '' : 'calling thread ≤ 2'} |`,
  );
  rows.push(
    `| producer.nullEndpoint.eventsPerSec put() / send() / putMany() (the same runs) | ${cell('producer.nullEndpoint.eventsPerSec')} / ${cell('producer.nullEndpoint.send.eventsPerSec')} / ${cell('producer.nullEndpoint.putMany.eventsPerSec')} | ≥ 300,000 |`,
    `| producer.cold: calling thread µs per event at ${r['producer.cold.eventsPerSec'] as number} events/s, floor / put() / send(); added to the floor by put() / send() | ${cell('producer.cold.floor.mainUs')} / ${cell('producer.cold.put.mainUs')} / ${cell('producer.cold.send.mainUs')}; +${cell('producer.cold.put.addedUs')} / +${cell('producer.cold.send.addedUs')} | added ≤ 1.5 (≤ 3 with the event's own ~1.5) |`,
  );
  const limit = r['producer.rss.limitMb'] as number;
  rows.push(`| producer.rss.overloadMb (2× the send() ceiling, ${overloadSeconds} s), peak; idle | ${cell('producer.rss.overloadMb')}, peak ${cell('producer.rss.overloadPeakMb')}; idle ${cell('producer.rss.idleMb')} | ≤ ${limit} + 150 |`);
  return rows.join('\n');
};

// The producer beside the SDK loop and aws-kinesis-agg on the embedded Kinesis; alone with `npm run bench -- throughput`.
const runThroughput = async (stack: LocalStack) => ({
  deflate: await repeated('producer (deflate)', async () => producerRun(await runProducer(stack, seconds, { compression: 'deflate' }))),
  kpl: await repeated('producer (compression none: KPL format)', async () => producerRun(await runProducer(stack, seconds, { compression: 'none' }))),
  sdk: await repeated('plain SDK PutRecords loop', async () => producerRun(await runSdkLoop(stack, seconds))),
  kinesisAgg: await repeated('aws-kinesis-agg + SDK', async () => producerRun(await runKinesisAgg(stack, seconds))),
});
const throughputEntries = (r: Awaited<ReturnType<typeof runThroughput>>) => ({
  ...entry('producer.deflate.eventsPerSec', r.deflate, 'eventsPerSec'),
  ...entry('producer.kplFormat.eventsPerSec', r.kpl, 'eventsPerSec'),
  ...entry('peer.sdkPutRecords.eventsPerSec', r.sdk, 'eventsPerSec'),
  ...entry('peer.kinesisAgg.eventsPerSec', r.kinesisAgg, 'eventsPerSec'),
  ...entry('producer.deflate.batchesPerRequest', r.deflate, 'batchesPerRequest'),
  ...entry('producer.deflate.bytesPerEvent', r.deflate, 'bytesPerEvent'),
  ...entry('producer.kplFormat.bytesPerEvent', r.kpl, 'bytesPerEvent'),
  ...entry('peer.sdkPutRecords.bytesPerEvent', r.sdk, 'bytesPerEvent'),
  // The machine's load average (1, 5, 15 min) when the runs ended: the figures move with it.
  'throughput.settings': { runs, seconds, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) },
});
const throughputRows = (r: Record<string, unknown>) => {
  const v = (name: string) => r[name] as number;
  const c = (name: string) => `${v(name)} (${(r[`${name}.spread`] as number[]).join('–')})`;
  const ratio = (a: string, b: string) => `${(v(a) / v(b)).toFixed(1)}×`;
  return [
    `| producer.deflate.eventsPerSec (kinesalite, 4 shards, ${seconds} s) | ${c('producer.deflate.eventsPerSec')}: ${ratio('producer.deflate.eventsPerSec', 'peer.sdkPutRecords.eventsPerSec')} the SDK loop, ${ratio('producer.deflate.eventsPerSec', 'peer.kinesisAgg.eventsPerSec')} aws-kinesis-agg | ≥ 10× the SDK loop, ≥ 3× aws-kinesis-agg |`,
    `| producer.kplFormat.eventsPerSec (compression none, the default) | ${c('producer.kplFormat.eventsPerSec')} | |`,
    `| peer.sdkPutRecords.eventsPerSec | ${c('peer.sdkPutRecords.eventsPerSec')} | |`,
    `| peer.kinesisAgg.eventsPerSec | ${c('peer.kinesisAgg.eventsPerSec')} | |`,
    `| producer.deflate.bytesPerEvent / producer.kplFormat.bytesPerEvent | ${c('producer.deflate.bytesPerEvent')} / ${c('producer.kplFormat.bytesPerEvent')} | deflate ≥ 5× fewer |`,
  ].join('\n');
};

const selections: Record<string, { entries: () => Promise<Record<string, unknown>>; rows: (entries: Record<string, unknown>) => string }> = {
  throughput: { entries: () => withStack(async (stack) => throughputEntries(await runThroughput(stack))), rows: throughputRows },
  fanout: { entries: runFanOut, rows: fanOutRows },
  click: { entries: async () => clickEntries(await withStack(runClick)), rows: clickRows },
  producer: { entries: runProducerCpu, rows: producerCpuRows },
  consumer: {
    entries: async () => {
      const stack = await startLocalStack();
      try {
        return await runConsumerCpuFigures(stack);
      } finally {
        await stack.close();
      }
    },
    rows: consumerCpuRows,
  },
};
if (positionals.length > 0) {
  const selection = selections[positionals.join(' ')];
  if (!selection) throw new Error(`unknown selection '${positionals.join(' ')}': one of ${Object.keys(selections).join(', ')}`);
  const latest = new URL('./results/latest.json', import.meta.url);
  const entries = await selection.entries();
  const merged = { ...(existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {}), ...entries };
  writeFileSync(latest, JSON.stringify(merged, null, 2) + '\n');
  console.log(`\nMedians of ${runs} runs, with the lowest and highest in parentheses.\n\n| figure | value | goal |\n|---|---|---|\n${selection.rows(entries)}\n`);
  process.exit(0);
}

const figures = await withStack(async (stack) => {
  const { deflate, kpl, sdk, kinesisAgg } = await runThroughput(stack);
  const rate = Math.round(deflate.median.eventsPerSec / 2);
  const latency = await repeated(`put() latency at ${rate} events/s`, () => runPutLatencyIsolated(rate, 5));
  const clickServer = await runClick(stack);
  return { deflate, kpl, sdk, kinesisAgg, latency, clickServer };
});
const consumerFigures = await (async () => {
  // Consumers need DynamoDB too: a stack of their own, with both emulators.
  const stack = await startLocalStack();
  try {
    const throughput = await repeated('consumer and GetRecords + aws-kinesis-agg (records/s)', async (run) => {
      // alternated, since whichever runs second in a process is slower
      if (run % 2 === 0) {
        const consumer = (await runConsumerThroughput(stack, events)).recordsPerSec;
        return { consumer, peer: (await runGetRecordsAggPeer(stack, events)).recordsPerSec };
      }
      const peer = (await runGetRecordsAggPeer(stack, events)).recordsPerSec;
      return { consumer: (await runConsumerThroughput(stack, events)).recordsPerSec, peer };
    });
    const latency = await repeated('end-to-end latency at 2,000 events/s (ms)', () => runEndToEndLatency(stack, 2000, 5));
    const handoff = await repeated('hand-off (ms, failover 10,000)', async () => ({
      graceful: (await runHandoff(stack, 'graceful', 10_000)).ms,
      sigkill: (await runHandoff(stack, 'sigkill', 10_000)).ms,
    }));
    const cpu = await runConsumerCpuFigures(stack);
    return { throughput, latency, handoff, cpu };
  } finally {
    await stack.close();
  }
})();
const fanOutFigures = await runFanOut();
const producerCpu = await runProducerCpu();

const results = {
  machine: { cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  seconds,
  events,
  runs,
  ...throughputEntries(figures),
  ...entry('producer.put.p50Us', figures.latency, 'p50Us'),
  ...entry('producer.put.p99Us', figures.latency, 'p99Us'),
  ...clickEntries(figures.clickServer),
  ...producerCpu,
  ...entry('consumer.recordsPerSec', consumerFigures.throughput, 'consumer'),
  ...entry('peer.getRecordsAgg.recordsPerSec', consumerFigures.throughput, 'peer'),
  ...entry('e2e.latency.p50Ms', consumerFigures.latency, 'p50Ms'),
  ...entry('e2e.latency.p99Ms', consumerFigures.latency, 'p99Ms'),
  ...entry('consumer.handoff.gracefulMs', consumerFigures.handoff, 'graceful'),
  ...entry('consumer.failover.sigkillMs', consumerFigures.handoff, 'sigkill'),
  ...fanOutFigures,
  ...consumerFigures.cpu,
} as Record<string, unknown>;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');

const v = (name: string) => results[name] as number;
const spread = (name: string) => (results[`${name}.spread`] as [number, number]).join('–');
const cell = (name: string) => `${v(name)} (${spread(name)})`;
const ratio = (a: string, b: string) => `${(v(a) / v(b)).toFixed(1)}x`;
console.log(`
Medians of ${runs} runs, with the lowest and highest in parentheses.

| figure | value | ratio |
|---|---|---|
| producer.deflate.eventsPerSec (kinesalite, 4 shards, ${seconds} s) | ${cell('producer.deflate.eventsPerSec')} | ${ratio('producer.deflate.eventsPerSec', 'peer.sdkPutRecords.eventsPerSec')} the SDK loop |
| producer.kplFormat.eventsPerSec (compression none, the default) | ${cell('producer.kplFormat.eventsPerSec')} | |
| peer.sdkPutRecords.eventsPerSec | ${cell('peer.sdkPutRecords.eventsPerSec')} | |
| peer.kinesisAgg.eventsPerSec | ${cell('peer.kinesisAgg.eventsPerSec')} | producer is ${ratio('producer.deflate.eventsPerSec', 'peer.kinesisAgg.eventsPerSec')} |
| producer.nullEndpoint.eventsPerSec (16 shards, compiled package) put() / send() | ${cell('producer.nullEndpoint.eventsPerSec')} / ${cell('producer.nullEndpoint.send.eventsPerSec')} | goal ≥ 300,000 |
| producer.put.p50Us / p99Us (at half the ceiling, own process) | ${cell('producer.put.p50Us')} / ${cell('producer.put.p99Us')} | |
${clickRows(results)}
${producerCpuRows(results)}
| consumer.recordsPerSec (1 worker, 4 shards, ${events} events) | ${cell('consumer.recordsPerSec')} | ${ratio('consumer.recordsPerSec', 'peer.getRecordsAgg.recordsPerSec')} the GetRecords + aws-kinesis-agg loop |
| peer.getRecordsAgg.recordsPerSec | ${cell('peer.getRecordsAgg.recordsPerSec')} | |
| e2e.latency.p50Ms / p99Ms (2,000 events/s) | ${cell('e2e.latency.p50Ms')} / ${cell('e2e.latency.p99Ms')} | |
| consumer.handoff.gracefulMs / consumer.failover.sigkillMs (failover 10,000 ms) | ${cell('consumer.handoff.gracefulMs')} / ${cell('consumer.failover.sigkillMs')} | |
| producer.deflate.batchesPerRequest (shard batches per PutRecords request) | ${cell('producer.deflate.batchesPerRequest')} | |
| producer.deflate.bytesPerEvent | ${v('producer.deflate.bytesPerEvent')} | ${ratio('producer.kplFormat.bytesPerEvent', 'producer.deflate.bytesPerEvent')} fewer than KPL format |
| producer.kplFormat.bytesPerEvent | ${v('producer.kplFormat.bytesPerEvent')} | |
| peer.sdkPutRecords.bytesPerEvent | ${v('peer.sdkPutRecords.bytesPerEvent')} | |
${fanOutRows(results)}
${consumerCpuRows(results)}
`);

// Lease management at scale, simulated on a virtual clock (npm run simulate runs every scale).
const leaseSimulation = await runLeaseSimulation({
  scales: values['lease-scales'].split(','),
  designs: [],
  scenarios: [],
  seed: 1,
  log: (line) => console.error(line),
});
console.log(`Lease management at scale (simulated; bench/results/lease-simulation.json):\n\n${writeLeaseSimulation('lease-simulation', 1, leaseSimulation)}\n`);
