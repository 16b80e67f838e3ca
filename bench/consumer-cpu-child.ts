/**
 * One run of the consumer's CPU figure (see `consumer-cpu.ts`), in a process of its own so that
 * the embedded Kinesis and DynamoDB, which run in the parent, are not counted: reads a pre-filled
 * stream to its end with a no-op handler (`consumer`: one worker, de-aggregated, inflated,
 * checkpointed) or with the GetRecords + aws-kinesis-agg loop (`peer`), and prints records/s and
 * the CPU each group of its threads spent per record, as JSON.
 *
 *   npx tsx bench/consumer-cpu-child.ts <consumer|peer> <stream> <application> <events>
 *   env: KINESIS_ENDPOINT, DYNAMODB_ENDPOINT
 */
import { Agent } from 'node:http';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDynamoDbClient, createKinesisClient } from '../src/index.ts';
import { readWithGetRecordsAgg, timeOneWorker } from './consumer.ts';
import { readThreadCpu, threadCpuSince } from './thread-cpu.ts';

const [mode, streamName, applicationName, eventsArg] = process.argv.slice(2);
const events = Number(eventsArg);
// kinesalite answers a GetRecords of 1,000 plain aggregates (~50 MB) slowly when the machine is busy: not what is measured.
const connection = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestTimeout: 120_000 };
const endpoint = process.env.KINESIS_ENDPOINT!;
// The peer is a plain SDK loop: the SDK's client with its retries (over HTTP/1.1, as kinesalite
// speaks no HTTP/2). The retries matter here: the peer decodes a whole page before its next call,
// seconds on a busy machine, and kinesalite closes a keep-alive socket idle for 5 s, so that call
// may go out on a socket closed under it.
const kinesis =
  mode === 'peer'
    ? new KinesisClient({ region: connection.region, endpoint, credentials: connection.credentials, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }), requestTimeout: connection.requestTimeout }) })
    : createKinesisClient({ ...connection, endpoint });
const dynamodb = createDynamoDbClient({ ...connection, endpoint: process.env.DYNAMODB_ENDPOINT! });

const threadsAtStart = readThreadCpu();
const cpuAtStart = process.cpuUsage();
let recordsPerSec: number;
if (mode === 'consumer') {
  const run = await timeOneWorker({ streamName, applicationName, kinesis, dynamodb, idleTimeBetweenReadsInMillis: 50 }, events);
  if (!(run.metrics.CheckpointsWritten > 0)) throw new Error('no checkpoints written');
  recordsPerSec = run.recordsPerSec;
} else if (mode === 'peer') {
  recordsPerSec = (await readWithGetRecordsAgg(kinesis, streamName, events)).recordsPerSec;
} else {
  throw new Error(`unknown mode '${mode}': consumer or peer`);
}
const { user, system } = process.cpuUsage(cpuAtStart);
const threadsAtEnd = readThreadCpu();
const spent = threadCpuSince(threadsAtStart, threadsAtEnd, user + system);
if (process.env.BENCH_DEBUG) {
  const each = [...threadsAtEnd].sort(([a], [b]) => a - b).map(([tid, us], ordinal) => `${ordinal}:${tid - process.pid}:${Math.round((us - (threadsAtStart.get(tid) ?? 0)) / 1000)}ms`);
  console.error(`${mode} threads (ordinal:tid-pid:cpu): ${each.join(' ')}`);
}
const perRecord = Object.fromEntries(Object.entries(spent).map(([group, us]) => [group, Number((us / events).toFixed(3))]));
process.stdout.write(JSON.stringify({ recordsPerSec, recordsPerCoreSec: Math.round(events / (spent.total / 1e6)), cpuUsPerRecord: perRecord }) + '\n');
process.exit(0);
