/**
 * What OpenTelemetry costs the producer and the consumer: runs with no SDK registered and with
 * the SDK and its Prometheus exporter (scraped every second), interleaved (none, sdk, none, ...)
 * so that the load other processes put on the machine falls on both alike, each in a fresh
 * process. Prints the medians with the lowest and highest of each.
 *
 *   npx tsx bench/otel.ts [--runs 5] [--seconds 8] [--events 100000] [--only producer|putLatency|consumer]
 */
import { parseArgs } from 'node:util';
import { runJsonChild } from './child.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '8' }, events: { type: 'string', default: '100000' }, only: { type: 'string' } },
});
const runs = Number(values.runs);
const figures: [figure: string, amount: string, keys: string[]][] = [
  ['producer', values.seconds!, ['eventsPerSec', 'usPerEvent', 'cpuUsPerEvent']],
  ['putLatency', values.seconds!, ['p50Us', 'p99Us']],
  ['consumer', values.events!, ['recordsPerSec', 'cpuUsPerRecord']],
];

function summary(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const f = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));
  return `${f(median)} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

const rows: string[] = [];
for (const [figure, amount, keys] of figures) {
  if (values.only !== undefined && values.only !== figure) continue;
  const results: Record<'none' | 'sdk', Record<string, number>[]> = { none: [], sdk: [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of run % 2 === 0 ? (['none', 'sdk'] as const) : (['sdk', 'none'] as const)) {
      const result = await runJsonChild<Record<string, number>>('./otel-child.ts', [mode, figure, amount]);
      results[mode].push(result);
      process.stderr.write(`${figure} ${mode} ${JSON.stringify(result)}\n`);
    }
  }
  for (const key of keys) rows.push(`| ${figure}.${key} | ${summary(results.none.map((r) => r[key]))} | ${summary(results.sdk.map((r) => r[key]))} |`);
}
process.stdout.write(`| figure | no SDK | SDK + Prometheus exporter |\n|---|---|---|\n${rows.join('\n')}\n`);
