/**
 * The producer at full load against the null endpoint (in a process of its own), in a process
 * of its own: events/s, and µs of CPU per event by thread over the measured window. Prints JSON.
 * `build` is `dist` (the compiled package, as adopters run it; `npm run build` first), `src`, or
 * the path of another checkout's `dist/src` (to compare with an earlier version).
 *
 *   npx tsx bench/producer-cpu-child.ts <put|send|putMany|floor> <seconds> <warmupSeconds> <dist|src> [rate]
 *
 * Without `rate`, events are offered as fast as the producer takes them (2,000 per turn of the
 * event loop, none while puts wait for room): full load. With `rate`, that many events per
 * second, a few every millisecond, as a server between requests offers them: the cold path,
 * where every event also pays for the timers and the I/O of its own turn.
 *
 * `floor` is what the caller does on its own: build the event, `JSON.stringify` it, and make and
 * settle a promise for it, with no producer.
 */
import type * as Package from '../src/index.ts';
import type * as Testing from '../src/testing/index.ts';
import { clickEvent } from './click-events.ts';
import { readThreadCpu, threadCpuSince } from './thread-cpu.ts';

const [mode = 'put', secondsArg = '10', warmupArg = '2', build = 'dist', rateArg = '0'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);
const root = build === 'dist' ? '../dist/src' : build === 'src' ? '../src' : build;
const ext = build === 'src' ? 'ts' : 'js';
const { createKinesisClient, createProducer } = (await import(`${root}/index.${ext}`)) as typeof Package;
const { startNullKinesis } = (await import(`${root}/testing/index.${ext}`)) as typeof Testing;

const endpoint = await startNullKinesis(16, { ownProcess: true });
const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const producer = createProducer({ streamName: 'bench', kinesis, workerThreads: 1, compression: 'deflate' });

let settled = 0;
const done = () => void settled++;
const fail = (error: unknown) => {
  console.error(error);
  process.exit(1);
};
producer.on('producer.recordFailed', fail);
let batches = 0;
let batchRecords = 0;
let kinesisRecords = 0;
producer.on('producer.putRecords', (e) => {
  batches++;
  batchRecords += e.userRecords;
  kinesisRecords += e.kinesisRecords;
});

/** Offers events [from, to) the way `mode` says. */
function offer(from: number, to: number): void {
  if (mode === 'put') {
    for (let n = from; n < to; n++) {
      const { value, partitionKey } = clickEvent(n);
      producer.put(value, { partitionKey }).then(done, fail);
    }
  } else if (mode === 'send') {
    for (let n = from; n < to; n++) {
      const { value, partitionKey } = clickEvent(n);
      producer.send(value, { partitionKey });
    }
  } else if (mode === 'putMany') {
    const entries = new Array(to - from);
    for (let n = from; n < to; n++) {
      const { value, partitionKey } = clickEvent(n);
      entries[n - from] = { value, partitionKey };
    }
    producer.putMany(entries).then((r) => (r.failed.length > 0 ? fail(r.failed[0].error) : (settled += r.put)), fail);
  } else {
    for (let n = from; n < to; n++) {
      const { value } = clickEvent(n);
      const json = JSON.stringify(value);
      new Promise((resolve) => resolve(json)).then(done, fail);
    }
  }
}

/**
 * µs per event: on the calling thread (`main`), on V8's platform threads (`runtime`: mostly
 * garbage collection), and on the threads started after them (`started`: the encode worker, the
 * libuv pool, tsx's loader).
 */
function perEvent(spent: ReturnType<typeof threadCpuSince>, events: number): { main: number; runtime: number; started: number } {
  const us = (n: number) => Number((n / events).toFixed(3));
  return { main: us(spent.main), runtime: us(spent.v8Workers + spent.nodeInternal), started: us(spent.libuv + spent.later + spent.ended) };
}

let offered = 0;
let measured = 0;
let before = readThreadCpu();
let beforeProcess = process.cpuUsage();
let startedAt = 0;
const warmEnd = performance.now() + warmup * 1000;
const end = warmEnd + seconds * 1000;
let measuring = false;
while (performance.now() < end) {
  if (!measuring && performance.now() >= warmEnd) {
    measuring = true;
    before = readThreadCpu();
    beforeProcess = process.cpuUsage();
    startedAt = performance.now();
    measured = offered;
  }
  if (rate > 0) {
    const due = Math.ceil(((performance.now() - warmEnd + warmup * 1000) / 1000) * rate);
    offer(offered, Math.max(offered, due));
    offered = Math.max(offered, due);
    await new Promise((resolve) => setTimeout(resolve, 1));
    continue;
  }
  offer(offered, offered + 2000);
  offered += 2000;
  await new Promise((resolve) => setImmediate(resolve));
  while (producer.outstanding.waiting > 0) await new Promise((resolve) => setTimeout(resolve, 1));
}
const after = readThreadCpu();
const processCpu = process.cpuUsage(beforeProcess);
const elapsed = (performance.now() - startedAt) / 1000;
const events = offered - measured;
await producer.close();
kinesis.destroy();
await endpoint.close();
process.stdout.write(JSON.stringify({ mode, eventsPerSec: Math.round(events / elapsed), cpuUsPerEvent: perEvent(threadCpuSince(before, after, processCpu.user + processCpu.system), events), recordsPerBatch: Math.round(batchRecords / batches), recordsPerKinesisRecord: Math.round(batchRecords / kinesisRecords) }) + '\n');
process.exit(0);
