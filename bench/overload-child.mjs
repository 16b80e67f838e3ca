// Plain JavaScript on purpose: this process is what an adopter runs, node and the compiled
// package (`npm run build` first), with no TypeScript loader in its memory.
/**
 * Run as its own process so its RSS is the producer's alone: offers click events at `rate`
 * events/s (open loop: put() is not awaited) for `seconds` against a null Kinesis endpoint,
 * with the default backpressure limits and compression 'deflate', then prints its RSS and what
 * happened as JSON. `idleRssMb` is the process with the producer started and idle, before load.
 *
 *   node bench/overload-child.mjs <rate> <seconds> [put|send]
 *
 * With `put` (the default) every event's promise is handled and let go, as a server that logs
 * failures would; with `send`, failures come as `producer.recordFailed` events.
 */
import { createKinesisClient, createProducer, producerDefaults } from '../dist/src/index.js';
import { startNullKinesis } from '../dist/src/testing/index.js';
import { clickEvent } from './click-event.mjs';

const [rateArg, secondsArg, mode = 'put'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const mb = (bytes) => Math.round(bytes / 2 ** 20);
const endpoint = await startNullKinesis(16, { ownProcess: true });
const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const producer = createProducer({ streamName: 'overload', kinesis, compression: 'deflate' });
// One record through, so the worker thread and the connection exist, then a second of idle.
await producer.put({ warm: true }, { partitionKey: 'warm' });
await new Promise((resolve) => setTimeout(resolve, 1000));
const idle = process.memoryUsage();
let offered = 0;
let rejected = 0;
producer.on('producer.recordFailed', () => rejected++);
let peakRss = 0;
const started = performance.now();
const tickMs = 10;
while (performance.now() - started < seconds * 1000) {
  // Open loop, but a tick offers at most its own share: a server falling behind does not get
  // a burst of every request it missed.
  const due = Math.min(Math.floor(((performance.now() - started) / 1000) * rate), offered + Math.ceil((rate * tickMs) / 1000));
  for (; offered < due; offered++) {
    const { value, partitionKey } = clickEvent(offered);
    if (mode === 'send') {
      try {
        producer.send(value, { partitionKey });
      } catch {
        rejected++;
      }
    } else {
      producer.put(value, { partitionKey }).catch(() => {});
    }
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await new Promise((resolve) => setTimeout(resolve, tickMs));
}
const mem = process.memoryUsage();
const put = producer.metrics().UserRecordsPut;
process.stdout.write(
  JSON.stringify({
    rssMb: mb(mem.rss),
    peakRssMb: mb(peakRss),
    idleRssMb: mb(idle.rss),
    limitMb: producerDefaults.maxOutstandingBytes / 2 ** 20,
    offered,
    put,
    rejected,
    idle: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, mb(v)])),
    mem: Object.fromEntries(Object.entries(mem).map(([k, v]) => [k, mb(v)])),
    outstanding: producer.outstanding,
  }) + '\n',
);
process.exit(0);
