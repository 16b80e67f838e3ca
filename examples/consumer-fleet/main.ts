// The consumer-fleet example: N worker processes share a stream through the lease table; the
// live table shows who owns which shard, its checkpoint and lag. Midway one worker gets
// SIGTERM: it drains and releases its leases, and the others take its shards at once.
//
// Run: npx tsx examples/consumer-fleet/main.ts [--workers 3] [--shards 6] [--duration 12]
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createProducer } from '../../src/index.ts';
import { describeLeaseTable } from '../../src/leases/index.ts';
import { formatLeaseTable } from '../../src/cli/format-lease-table.ts';
import { createStream, randomName, startLocalStack } from '../../src/testing/index.ts';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '3' }, shards: { type: 'string', default: '6' }, duration: { type: 'string', default: '12' } } });
const workers = Number(values.workers);
const shards = Number(values.shards);
const duration = Number(values.duration);
if (![workers, shards, duration].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--workers, --shards and --duration must be positive whole numbers');
  process.exit(2);
}

const stack = await startLocalStack();
const streamName = randomName('fleet');
const applicationName = randomName('fleet-app');
await createStream(stack.kinesis, streamName, shards);

const seen = new Set<number>();
let deliveries = 0;
const children = new Map<string, ChildProcess>();
const startWorker = (workerId: string) =>
  new Promise<void>((resolve) => {
    const child = fork(new URL('./worker.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, KINESIS_ENDPOINT: stack.kinesisEndpoint, DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint, STREAM: streamName, APP: applicationName, WORKER_ID: workerId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message: { ids?: number[]; started?: string }) => {
      if (message.started) resolve();
      for (const id of message.ids ?? []) {
        deliveries++;
        seen.add(id);
      }
    });
    children.set(workerId, child);
  });
const stopWorker = (workerId: string) =>
  new Promise<void>((resolve) => {
    const child = children.get(workerId);
    if (!child || child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(`worker-${i + 1}`)));
console.log(`${workers} worker processes on ${streamName} (${shards} shards), lease table ${applicationName}`);

const producer = createProducer({ streamName, kinesis: stack.kinesis, recordMaxBufferedTime: 50 });
let put = 0;
let stopping = false;
const produce = (async () => {
  while (!stopping) {
    for (let i = 0; i < 50; i++, put++) void producer.put({ id: put, page: `/p/${put % 20}` }, { partitionKey: `user-${put % 500}` });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await producer.close();
})();

const show = async (second: number) => {
  const rows = await describeLeaseTable({ kinesis: stack.kinesis, dynamodb: stack.dynamodb!, applicationName, streamName });
  console.log(`\n[${second} s] put ${put}, consumed ${seen.size} (${deliveries - seen.size} redelivered)\n${formatLeaseTable(rows)}`);
};
const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
let quit = false;
void interrupted.then(() => (quit = true));
for (let second = 1; second <= duration && !quit; second++) {
  await Promise.race([new Promise((resolve) => setTimeout(resolve, 1000)), interrupted]);
  if (second === Math.ceil(duration / 2) && workers > 1) {
    console.log('\nSIGTERM to worker-1: it drains, checkpoints and releases its leases');
    await stopWorker('worker-1');
  }
  await show(second);
}

stopping = true;
await produce;
const deadline = Date.now() + 20_000;
while (seen.size < put && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
await Promise.all([...children.keys()].map(stopWorker));
await show(duration);
await stack.close();
const ok = seen.size === put;
console.log(`${ok ? 'OK' : 'FAILED'}: ${put} events put, ${seen.size} consumed at least once by the fleet, ${deliveries - seen.size} redelivered after hand-offs`);
process.exit(ok ? 0 : 1);
