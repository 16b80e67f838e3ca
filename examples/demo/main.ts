/**
 * The demo: an embedded Kinesis, a click-capture endpoint fed by a synthetic load, the producer
 * in between, a live view, and a summary checked against what is read back from the stream.
 *
 *   npm start                    # 20 s
 *   npm start -- --duration 60   # longer; Ctrl-C stops early and still drains
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createProducer } from '../../src/index.ts';
import { startLocalStack, createStream, readStream } from '../../src/testing/index.ts';
import { startClickServer } from './click-server.ts';
import { startLoad } from './load.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    shards: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'max-events': { type: 'string', default: '300000' },
  },
});
const durationMs = Number(args.duration) * 1000;
const shardCount = Number(args.shards);

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const stack = await startLocalStack();
const streamName = 'clicks';
await createStream(stack.kinesis, streamName, shardCount);
const producer = createProducer({ streamName, kinesis: stack.kinesis, logger, workerThreads: 1 });
const click = await startClickServer(producer);
const load = startLoad(click.url, { connections: Number(args.connections), maxEvents: Number(args['max-events']), users: 10_000 });
let wireBytes = 0;
producer.on('producer.putRecords', (e) => (wireBytes += e.error ? 0 : e.bytes));

console.log(`Embedded Kinesis at ${stack.kinesisEndpoint}; stream '${streamName}' with ${shardCount} shards.`);
console.log(`Click endpoint at ${click.url}; synthetic load from ${args.connections} connections for ${durationMs / 1000} s (Ctrl-C stops).\n`);

const started = Date.now();
let lastPut = new Map<string, number>();
let lastTick = started;
const live = process.stdout.isTTY;
function render(final = false) {
  const now = Date.now();
  const m = producer.metrics();
  const rates = [...click.stats.putByShard.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([shard, n]) => `${shard.replace('shardId-', '')}: ${Math.round(((n - (lastPut.get(shard) ?? 0)) * 1000) / Math.max(1, now - lastTick))}/s`)
    .join('  ');
  lastPut = new Map(click.stats.putByShard);
  lastTick = now;
  const line =
    `${((now - started) / 1000).toFixed(0).padStart(3)} s  accepted ${String(click.stats.accepted).padStart(7)}  ` +
    `put ${String(m.UserRecordsPut).padStart(7)}  pending ${String(m.UserRecordsPending).padStart(6)}  ` +
    `Kinesis records ${m.KinesisRecordsPut}  | ${rates}`;
  if (live && !final) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}
const ticker = setInterval(render, live ? 500 : 2000);

let stopping: Promise<void> | undefined;
function stop(reason: string): Promise<void> {
  stopping ??= (async () => {
    clearInterval(ticker);
    if (live) process.stdout.write('\n');
    console.log(`\nStopping (${reason}): load stops, the endpoint closes, the producer drains everything it accepted...`);
    await load.stop();
    await new Promise<void>((resolve) => click.server.close(() => resolve()));
    await producer.close();
    render(true);
    const contents = await readStream(stack.kinesis, streamName);
    const m = producer.metrics();
    const ok = contents.records.length === click.stats.accepted && m.UserRecordsPut === click.stats.accepted;
    console.log(`\nSummary
  clicks accepted by the endpoint   ${click.stats.accepted}
  user records put (acknowledged)   ${m.UserRecordsPut}   failed: ${click.stats.failed}
  user records read back            ${contents.records.length}   from ${contents.kinesisRecords} Kinesis records (${contents.compressedRecords} compressed)
  bytes on the wire per event       ${(wireBytes / Math.max(1, m.UserRecordsPut)).toFixed(1)}   (user data: ${(m.UserRecordsDataPut / Math.max(1, m.UserRecordsPut)).toFixed(1)})
  throughput                        ${Math.round(m.UserRecordsPut / ((Date.now() - started) / 1000))} events/s
  retries per record (max)          ${m.RetriesPerRecord.max}   errors: ${JSON.stringify(m.ErrorsByCode)}
  ${ok ? 'OK: read back = accepted = put' : 'MISMATCH: see the counts above'}`);
    await stack.close();
    process.exitCode = ok ? 0 : 1;
  })();
  return stopping;
}

process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
setTimeout(() => void stop(`${durationMs / 1000} s elapsed`), durationMs).unref();
await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (stopping) {
      clearInterval(check);
      void stopping.then(resolve);
    }
  }, 100);
});
