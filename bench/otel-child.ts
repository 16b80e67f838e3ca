/**
 * One run of the OpenTelemetry A/B (see `otel.ts`), in a process of its own: with `sdk` the
 * OpenTelemetry SDK and its Prometheus exporter are registered before the run and scraped every
 * second, as a busy Prometheus would; with `none` no SDK is registered (the API's no-op).
 * Prints the figure as JSON.
 *
 *   npx tsx bench/otel-child.ts <none|sdk> <producer|putLatency|consumer> <seconds|events>
 */
import { startPrometheusMetrics } from '../examples/metrics-prometheus/metrics.ts';
import { startLocalStack } from '../src/testing/index.ts';
import { runConsumerThroughput } from './consumer.ts';
import { runNullEndpoint } from './producer.ts';
import { runPutLatency } from './put-latency.ts';

const [mode, figure, amount] = process.argv.slice(2);
const prometheus = mode === 'sdk' ? await startPrometheusMetrics(0) : undefined;
let scraped = 0;
let scraping: Promise<void> = Promise.resolve();
const scraper = prometheus
  ? setInterval(() => {
      scraping = fetch(prometheus.url)
        .then((r) => r.text())
        .then((text) => void (scraped += text.length > 0 ? 1 : 0));
    }, 1000)
  : undefined;

let result: object;
// CPU time of this process (the producer's thread, its worker and the SDK) per event: less moved
// by the load of other processes than a rate is.
const cpu = process.cpuUsage();
const cpuUsPer = (events: number) => {
  const { user, system } = process.cpuUsage(cpu);
  return (user + system) / events;
};
if (figure === 'producer') {
  const run = await runNullEndpoint(Number(amount));
  const events = run.eventsPerSec * Number(amount);
  result = { eventsPerSec: run.eventsPerSec, usPerEvent: 1e6 / run.eventsPerSec, cpuUsPerEvent: cpuUsPer(events) };
} else if (figure === 'putLatency') {
  const stack = await startLocalStack({ dynamodb: false });
  result = await runPutLatency(stack, 20_000, Number(amount));
  await stack.close();
} else {
  const stack = await startLocalStack();
  // This process also runs the embedded Kinesis and DynamoDB and the producer that writes the events.
  result = { ...(await runConsumerThroughput(stack, Number(amount))), cpuUsPerRecord: cpuUsPer(Number(amount)) };
  await stack.close();
}
clearInterval(scraper);
await scraping;
if (prometheus && scraped === 0) throw new Error('the Prometheus endpoint was never scraped');
await prometheus?.close();
process.stdout.write(JSON.stringify({ ...result, scraped }) + '\n');
process.exit(0);
