// The pipelines example: what teams build around Kinesis (Agent, Lambda, Data Analytics,
// Firehose), on the framework's own actors and the embedded stack, in one command:
//
//   access.log ─▶ file tail agent ─▶ [raw-clicks] ─▶ filter ▸ mask ▸ enrich ─▶ [clicks]
//   [clicks] ─▶ clicks per page per minute ▸ print ▸ sink (files under YYYY/MM/DD/HH/)
//   [clicks] ─▶ clicks by gender per minute ▸ print
//
// Run: npx tsx examples/pipelines/main.ts
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  createConsumer,
  createProducer,
  defineStage,
  deliverySink,
  enrich,
  filterRecords,
  maskFields,
  parseJson,
  Pipeline,
  pipelineProcessor,
  toStream,
  windowAggregate,
  createFileTailAgent,
  type ConsumerRecord,
  type StreamItem,
  type WindowResult,
} from '../../src/index.ts';
import { createStream, randomName, startLocalStack } from '../../src/testing/index.ts';
import { ACCESS_LOG_FIELDS, writeAccessLog } from './access-log.ts';

type Click = Record<(typeof ACCESS_LOG_FIELDS)[number], string>;

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const dir = await mkdtemp(join(tmpdir(), 'pipelines-'));
const stack = await startLocalStack();
const raw = randomName('raw-clicks');
const clicks = randomName('clicks');
// Window results are per shard: the clicks stream has one shard, so every page's and gender's
// minute is counted in one place. With more shards, key the stream by the window's key.
await Promise.all([createStream(stack.kinesis, raw, 2), createStream(stack.kinesis, clicks, 1)]);
const rawProducer = createProducer({ streamName: raw, kinesis: stack.kinesis, recordMaxBufferedTime: 50, logger });
const clickProducer = createProducer({ streamName: clicks, kinesis: stack.kinesis, recordMaxBufferedTime: 50, logger });

// 1. The agent: tail the log through rotation, CSV to JSON, one record per line.
const agent = createFileTailAgent({
  files: [join(dir, 'access.log')],
  target: rawProducer,
  checkpointFile: join(dir, 'agent-checkpoint.json'),
  format: { csv: { fieldNames: [...ACCESS_LOG_FIELDS] } },
  partitionKey: (row) => String((row as Click).userId),
  pollIntervalMs: 50,
  logger,
});

// 2. Clean and enrich (a Lambda's job): drop favicon requests, mask personal data, join the
// region's bandwidth options, and put the result onto the clicks stream.
const regions = {
  'eu-west': { bandwidth: ['10M', '100M'], cdn: 'fra' },
  'us-east': { bandwidth: ['10M', '100M', '1G'], cdn: 'iad' },
  'ap-south': { bandwidth: ['10M'], cdn: 'bom' },
};
let forwarded = 0;
const count = (counter: () => void) =>
  defineStage<StreamItem, StreamItem>({ name: 'count', create: () => ({ process: (items) => (items.forEach(counter), items) }) });
const clean = filterRecords({ drop: [{ field: 'path', equals: '/favicon.ico' }] });
const cleanAndEnrich = Pipeline.from<ConsumerRecord>()
  .pipe(parseJson({ eventTimeField: 'ts' }))
  .pipe(clean)
  .pipe(maskFields({ fields: { ip: 'maskIp', email: 'hash', name: 'redact' }, hashSecret: 'example-secret' }))
  .pipe(enrich({ lookup: regions, key: (item) => String(item.value.region) }))
  .pipe(count(() => forwarded++))
  .pipe(toStream(clickProducer));

// 3. Windows (Data Analytics): clicks per page per minute, and by gender, on event time. The
// clicks come from two raw shards read side by side, so event time arrives somewhat out of
// order: a minute stays open until the watermark is a minute past its end. The last minute
// closes once no click has arrived for IDLE_MS of processing time. Closing early is final, so
// IDLE_MS must outlast any pause in the flow of clicks mid-run, and a busy machine can stall a
// process for seconds: a minute closed early by a stall drops its later clicks as late.
const IDLE_MS = 10_000;
const minute = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const closed: WindowResult[] = [];
let genderTotal = 0;
const print = (label: string) =>
  defineStage<StreamItem<WindowResult>, StreamItem<WindowResult>>({
    name: `print-${label}`,
    create: () => ({
      process: (items) => {
        for (const { value } of items) {
          if (label === 'page') closed.push(value);
          else genderTotal += value.count;
          console.log(`  ${minute(value.windowStart)}–${minute(value.windowEnd)}  ${label} ${value.key.padEnd(12)} ${value.count}`);
        }
        return items;
      },
    }),
  });
const perPage = Pipeline.from<ConsumerRecord>()
  .pipe(parseJson({ eventTimeField: 'ts' }))
  .pipe(windowAggregate({ name: 'perPageMinute', window: { type: 'tumbling', sizeMs: 60_000 }, key: (item) => String((item.value as Click).path), allowedLatenessMs: 60_000, idleTimeoutMs: IDLE_MS }))
  .pipe(print('page'))
  // 4. Delivery (Firehose): per-minute counts as newline-delimited JSON files.
  .pipe(deliverySink({ directory: join(dir, 'sink'), prefix: 'clicks-per-minute/', bufferIntervalMs: 1_000 }));
const byGender = Pipeline.from<ConsumerRecord>()
  .pipe(parseJson({ eventTimeField: 'ts' }))
  .pipe(windowAggregate({ name: 'byGenderMinute', window: { type: 'tumbling', sizeMs: 60_000 }, key: (item) => String((item.value as Click).gender), allowedLatenessMs: 60_000, idleTimeoutMs: IDLE_MS }))
  .pipe(print('gender'));

const consumer = (streamName: string, app: string, pipeline: Pipeline<ConsumerRecord, unknown>) =>
  createConsumer({
    streamName,
    applicationName: randomName(app),
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    idleTimeBetweenReadsInMillis: 100,
    processor: pipelineProcessor(pipeline),
    logger,
  });
const consumers = [consumer(raw, 'clean-enrich', cleanAndEnrich), consumer(clicks, 'per-page', perPage), consumer(clicks, 'by-gender', byGender)];

console.log(`access log, checkpoint and sink under ${dir}\nwindows as they close (event time):`);
await agent.start();
await Promise.all(consumers.map((c) => c.start()));
const written = await writeAccessLog(join(dir, 'access.log'), 1200, { start: Date.UTC(2026, 10, 23, 10, 0, 0), stepMs: 250, perChunk: 60, pauseMs: 40 });
const expected = written.lines - written.favicon;

// Every minute closes: by the watermark, and the last one once the stream is idle for IDLE_MS.
const pageTotal = () => closed.reduce((sum, w) => sum + w.count, 0);
const deadline = Date.now() + 60_000;
while ((forwarded < expected || pageTotal() < expected || genderTotal < expected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
await agent.close();
// Draining writes out the sink's buffer, then checkpoints.
for (const c of consumers) await c.close();
await Promise.all([rawProducer.close(), clickProducer.close()]);
await stack.close();

const sinkLines: { key: string; count: number }[] = [];
const objects: string[] = [];
const walk = async (path: string): Promise<void> => {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) await walk(full);
    else {
      objects.push(full.slice(dir.length + 1));
      for (const line of (await readFile(full, 'utf8')).split('\n').filter(Boolean)) sinkLines.push(JSON.parse(line));
    }
  }
};
await walk(join(dir, 'sink'));
console.log(`sink objects: ${objects.length}, e.g. ${objects[0]}`);
const windowTotal = pageTotal();
const sinkTotal = sinkLines.reduce((sum, w) => sum + w.count, 0);
const perMinuteMatches = closed.every((w) => written.perPageMinute.get(`${new Date(w.windowStart).toISOString()} ${w.key}`) === w.count);
const ok = forwarded === expected && windowTotal === expected && genderTotal === expected && sinkTotal === expected && perMinuteMatches && clean.stats.dropped === written.favicon;
console.log(
  `${ok ? 'OK' : 'FAILED'}: ${written.lines} lines tailed, ${clean.stats.dropped} favicon requests dropped, ${forwarded} clicks enriched, ` +
    `${closed.length} page windows summing to ${windowTotal} (by gender: ${genderTotal}), ${sinkLines.length} window rows in the sink summing to ${sinkTotal}`,
);
process.exit(ok ? 0 : 1);
