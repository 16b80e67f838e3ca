/**
 * The demo: an embedded Kinesis and DynamoDB, a click-capture endpoint fed by a synthetic load,
 * the producer in between, a fleet of consumer workers sharing the shards through leases, a
 * live view, and a summary checked against what is read back from the stream.
 *
 *   npm start                                # 20 s, 4 shards, 2 workers, dashboard on a free port
 *   npm start -- --dashboard-port 8080       # the dashboard on a port of your choice
 *   npm start -- --duration 60 --workers 3   # longer; Ctrl-C stops early and still drains
 *   AWS_ENDPOINT_URL=http://localhost:4566 npm start   # against the endpoints the SDK variables name
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createProducer } from '../../src/index.ts';
import { startDashboard } from '../../src/dashboard/index.ts';
import { createStream, readStream } from '../../src/testing/index.ts';
import { startClickServer } from './click-server.ts';
import { startLoad } from './load.ts';
import { startFleet } from './fleet.ts';
import { demoStack } from './stack.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    shards: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'max-events': { type: 'string', default: '300000' },
    workers: { type: 'string', default: '2' },
    'dashboard-port': { type: 'string', default: '0' },
  },
});
const durationMs = Number(args.duration) * 1000;
const shardCount = Number(args.shards);

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const stack = await demoStack();
const { streamName, applicationName } = stack;
await createStream(stack.kinesis, streamName, shardCount);
// Every reader of this stream is this framework's consumer, so deflate can shrink click events
// ~6x and put that many more through each shard; the default ('none') is for streams that the
// KCL, Lambda or Firehose also read.
const producer = createProducer({ streamName, kinesis: stack.kinesis, logger, workerThreads: 1, compression: 'deflate' });
const click = await startClickServer(producer);
const fleet = await startFleet(stack, streamName, applicationName, Number(args.workers), logger);
// Started before the load, so that its tip readers see every record written.
const dashboard = await startDashboard({
  streamName,
  applicationName,
  kinesis: stack.kinesis,
  dynamodb: stack.dynamodb,
  consumers: fleet.consumers,
  producer,
  port: Number(args['dashboard-port']),
  logger,
});
const load = startLoad(click.url, { connections: Number(args.connections), maxEvents: Number(args['max-events']), users: 10_000 });
let wireBytes = 0;
producer.on('producer.putRecords', (e) => (wireBytes += e.error ? 0 : e.bytes));

console.log(`${stack.where}; stream '${streamName}' with ${shardCount} shards.`);
console.log(`Click endpoint at ${click.url}; synthetic load from ${args.connections} connections for ${durationMs / 1000} s (Ctrl-C stops).`);
console.log(`${args.workers} consumer workers share the shards through the lease table '${applicationName}'.`);
console.log(`Dashboard at ${dashboard.url}\n`);

const started = Date.now();
let lastPut = new Map<string, number>();
let lastTick = started;
const live = process.stdout.isTTY;
let drawn = 0;
function render(final = false) {
  const now = Date.now();
  const m = producer.metrics();
  const lines = [
    `${((now - started) / 1000).toFixed(0).padStart(3)} s  accepted ${String(click.stats.accepted).padStart(7)}  ` +
      `put ${String(m.UserRecordsPut).padStart(7)}  pending ${String(m.UserRecordsPending).padStart(6)}  ` +
      `Kinesis records ${m.KinesisRecordsPut}  consumed ${fleet.stats.unique.size}`,
    '  shard           put/s    put total  owner      consumed   lag',
  ];
  for (const [shard, put] of [...click.stats.putByShard.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rate = Math.round(((put - (lastPut.get(shard) ?? 0)) * 1000) / Math.max(1, now - lastTick));
    const consumed = fleet.stats.processedByShard.get(shard) ?? 0;
    lines.push(
      `  ${shard.replace('shardId-', '')}  ${String(rate).padStart(7)}  ${String(put).padStart(10)}  ` +
        `${(fleet.stats.ownerByShard.get(shard) ?? '-').padEnd(9)}  ${String(consumed).padStart(8)}  ${String(Math.max(0, put - consumed)).padStart(6)}`,
    );
  }
  lastPut = new Map(click.stats.putByShard);
  lastTick = now;
  if (live && !final) {
    process.stdout.write((drawn ? `\x1b[${drawn}F` : '') + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    drawn = lines.length;
  } else {
    console.log(lines.join('\n'));
  }
}
const ticker = setInterval(render, live ? 500 : 2000);

let stopping: Promise<void> | undefined;
function stop(reason: string): Promise<void> {
  stopping ??= (async () => {
    clearInterval(ticker);
    console.log(`\nStopping (${reason}): load stops, the endpoint closes, the producer drains everything it accepted...`);
    await load.stop();
    await new Promise<void>((resolve) => click.server.close(() => resolve()));
    await producer.close();
    console.log('Producer drained; waiting for the consumer fleet to catch up, then draining it...');
    const deadline = Date.now() + 60_000;
    while (fleet.stats.unique.size < click.stats.accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await fleet.close();
    await dashboard.close();
    render(true);
    const contents = await readStream(stack.kinesis, streamName);
    const m = producer.metrics();
    const consumed = fleet.stats.unique.size;
    const ok = contents.records.length === click.stats.accepted && m.UserRecordsPut === click.stats.accepted && consumed === click.stats.accepted;
    console.log(`\nSummary
  clicks accepted by the endpoint   ${click.stats.accepted}   turned away (503): ${click.stats.rejected}
  user records put (acknowledged)   ${m.UserRecordsPut}   failed: ${click.stats.failed}
  user records read back            ${contents.records.length}   from ${contents.kinesisRecords} Kinesis records (${contents.compressedRecords} compressed)
  bytes on the wire per event       ${(wireBytes / Math.max(1, m.UserRecordsPut)).toFixed(1)}   (user data: ${(m.UserRecordsDataPut / Math.max(1, m.UserRecordsPut)).toFixed(1)})
  throughput                        ${Math.round(m.UserRecordsPut / ((Date.now() - started) / 1000))} events/s
  retries per record (max)          ${m.RetriesPerRecord.max}   errors: ${JSON.stringify(m.ErrorsByCode)}
  clicks consumed by the fleet      ${consumed}   (duplicate deliveries: ${fleet.stats.duplicates})
  ${ok ? 'OK: read back = accepted = put = consumed' : 'MISMATCH: see the counts above'}`);
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
