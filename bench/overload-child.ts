/**
 * Run as its own process so its RSS is the producer's alone: offers click events at `rate`
 * events/s (open loop: put() is not awaited) for `seconds` against a null Kinesis endpoint,
 * with the default backpressure limits and compression 'deflate', then prints its RSS and what
 * happened as JSON.
 *
 *   npx tsx bench/overload-child.ts <rate> <seconds>
 */
import { createKinesisClient, createProducer, producerDefaults } from '../src/index.ts';
import { startNullKinesis } from '../src/testing/index.ts';
import { clickEvent } from './click-events.ts';

const [rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const endpoint = await startNullKinesis(16, { ownProcess: true });
const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const producer = createProducer({ streamName: 'overload', kinesis, compression: 'deflate' });
let offered = 0;
let rejected = 0;
let peakRss = 0;
const started = performance.now();
const tickMs = 10;
while (performance.now() - started < seconds * 1000) {
  // Open loop, but a tick offers at most its own share: a server falling behind does not get
  // a burst of every request it missed.
  const due = Math.min(Math.floor(((performance.now() - started) / 1000) * rate), offered + Math.ceil((rate * tickMs) / 1000));
  for (; offered < due; offered++) {
    const { value, partitionKey } = clickEvent(offered);
    producer.put(value, { partitionKey }).catch(() => rejected++);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await new Promise((resolve) => setTimeout(resolve, tickMs));
}
const rssMb = process.memoryUsage().rss / 2 ** 20;
const put = producer.metrics().UserRecordsPut;
process.stdout.write(
  JSON.stringify({
    rssMb: Math.round(rssMb),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    limitMb: producerDefaults.maxOutstandingBytes / 2 ** 20,
    offered,
    put,
    rejected,
    mem: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 2 ** 20)])),
    outstanding: producer.outstanding,
  }) + '\n',
);
process.exit(0);
