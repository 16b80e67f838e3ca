// The clickstream example, end to end on the embedded stack: clicks are put onto a stream; two
// consumer applications clean and mask them, then deliver them as Firehose would, to S3 as
// partitioned Parquet (the lake) and into a PostgreSQL table (the warehouse). Midway the worker
// is killed (SIGKILL, mid-delivery); a second worker takes the leases over and carries on.
// At the end every count is checked: clicks put = warehouse rows = records in the Parquet files.
//
//   producer ─▶ [clicks] ─▶ parseJson ▸ filter ▸ mask ─▶ S3  page=…/dt=…/*.parquet
//                        └▶ parseJson ▸ filter ▸ mask ─▶ PostgreSQL clicks (COPY, load ledger)
//
// Run: npx tsx examples/clickstream-warehouse/main.ts [--events 20000] [--shards 2]
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createProducer } from '../../src/index.ts';
import { createStream, randomName, startEmbeddedPostgres, startLocalS3, startLocalStack } from '../../src/testing/index.ts';
import { LAKE_BUCKET, WAREHOUSE_DDL, WAREHOUSE_TABLE } from './pipelines.ts';
import { readLake } from './read-lake.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, shards: { type: 'string', default: '2' } } });
const events = Number(values.events);
const shards = Number(values.shards);
if (![events, shards].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--events and --shards must be positive whole numbers');
  process.exit(2);
}

const [stack, s3, postgres] = await Promise.all([startLocalStack(), startLocalS3({ buckets: [LAKE_BUCKET] }), startEmbeddedPostgres()]);
const sql = new pg.Client({ connectionString: postgres.connectionString });
await sql.connect();
await sql.query(WAREHOUSE_DDL);
const streamName = randomName('clicks');
await createStream(stack.kinesis, streamName, shards);
console.log(`Kinesis ${stack.kinesisEndpoint}, S3 ${s3.endpoint}, PostgreSQL 127.0.0.1:${postgres.port}; stream ${streamName} (${shards} shards)`);

const env = { ...process.env, KINESIS_ENDPOINT: stack.kinesisEndpoint, DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint!, S3_ENDPOINT: s3.endpoint, POSTGRES_URL: postgres.connectionString, STREAM: streamName, APP: randomName('clickstream') };
const startWorker = (workerId: string) =>
  new Promise<ChildProcess>((resolve) => {
    const child = fork(new URL('./worker.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...env, WORKER_ID: workerId }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: { started?: string }) => message.started && resolve(child));
  });
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
const warehouseRows = async () => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${WAREHOUSE_TABLE}`)).rows[0].n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const first = await startWorker('worker-1');
let second: ChildProcess | undefined;

// Every 50th event is a health check, which the pipelines drop: clicks put = rows expected.
// Clicks arrive in bursts while the workers deliver; halfway, once both destinations have
// taken some, worker-1 is killed without warning and worker-2 starts.
const producer = createProducer({ streamName, kinesis: stack.kinesis, recordMaxBufferedTime: 50 });
const pages = ['home', 'search', 'product', 'cart', 'checkout'];
const start = Date.UTC(2026, 0, 1, 23, 50);
let clicks = 0;
for (let i = 0; i < events; ) {
  const burst: Promise<unknown>[] = [];
  for (const end = Math.min(events, i + 500); i < end; i++) {
    const health = i % 50 === 49;
    if (!health) clicks++;
    const click = {
      event_id: `click-${i}`,
      page: health ? 'health' : pages[i % pages.length],
      user_id: `user-${i % 997}`,
      email: `user-${i % 997}@example.com`,
      ip: `203.0.113.${i % 250}`,
      country: ['PT', 'DE', 'US', 'IN'][i % 4],
      duration_ms: (i * 37) % 30_000,
      ts: new Date(start + i * 100).toISOString(), // crosses midnight: two dt= partitions
    };
    burst.push(producer.put(click, { partitionKey: click.user_id }));
  }
  await Promise.all(burst);
  await sleep(100);
  if (!second && i >= events / 2) {
    while ((await warehouseRows()) === 0 || (await readLake(s3.connection)).objects === 0) await sleep(100);
    first.kill('SIGKILL');
    await exited(first);
    console.log(`SIGKILL to worker-1 mid-delivery, after ${i} events put: ${await warehouseRows()} rows in the warehouse, ${(await readLake(s3.connection)).objects} Parquet objects in the lake`);
    second = await startWorker('worker-2');
    console.log('worker-2 started: it takes the leases once they expire (3 s) and reads on from the last checkpoints');
  }
}
await producer.close();
console.log(`put ${events} events (${clicks} clicks, ${events - clicks} health checks)`);

const deadline = Date.now() + 120_000;
let lake = await readLake(s3.connection);
while (Date.now() < deadline && ((await warehouseRows()) < clicks || lake.distinct < clicks)) {
  await sleep(1000);
  lake = await readLake(s3.connection);
}
second!.kill('SIGTERM');
await exited(second!);
lake = await readLake(s3.connection);

const warehouse = (await sql.query<{ rows: string; distinct: string; health: string; first: Date; last: Date }>(
  `SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct, count(*) FILTER (WHERE page = 'health') AS health, min(loaded_at) AS first, max(loaded_at) AS last FROM ${WAREHOUSE_TABLE}`,
)).rows[0];
const loads = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM kinesis_actors_load_ledger WHERE target_table = $1`, [WAREHOUSE_TABLE])).rows[0].n);
const rows = Number(warehouse.rows);
const loadSeconds = Math.max(0.001, (warehouse.last.getTime() - warehouse.first.getTime()) / 1000);
console.log(`warehouse: ${rows} rows (${warehouse.distinct} distinct events, ${warehouse.health} health checks) in ${loads} loads over ${loadSeconds.toFixed(1)} s: ${Math.round(rows / loadSeconds)} rows/s`);
console.log(
  `lake: ${lake.records} records (${lake.distinct} distinct events, ${lake.records - lake.distinct} written again after the kill) in ${lake.objects} Parquet objects under ${lake.partitions.length} partitions over ${lake.seconds.toFixed(1)} s: ${(lake.objects / Math.max(0.001, lake.seconds)).toFixed(1)} objects/s`,
);
console.log(`lake partitions: ${lake.partitions.join(', ')}; e-mail addresses left unmasked: ${lake.unmaskedEmails}`);

await sql.end();
await Promise.all([stack.close(), s3.close(), postgres.close()]);
const ok = rows === clicks && Number(warehouse.distinct) === clicks && lake.distinct === clicks && lake.health === 0 && lake.unmaskedEmails === 0 && Number(warehouse.health) === 0;
console.log(`${ok ? 'OK' : 'FAILED'}: clicks put ${clicks} = warehouse rows ${rows} (each once) = distinct records in the Parquet files ${lake.distinct}`);
process.exit(ok ? 0 : 1);
