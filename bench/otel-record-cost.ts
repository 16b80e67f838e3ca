/**
 * What the OpenTelemetry instruments add per user record on the producer's path (BufferingTime and
 * RetriesPerRecord, the two recorded per user record; the rest are per request, per Kinesis
 * record or read at collection time), with no SDK registered and with the SDK and a reader,
 * interleaved. Prints ns per user record, medians with the lowest and highest.
 *
 *   npx tsx bench/otel-record-cost.ts [runs] [records]
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { MetricsRecorder } from '../src/producer/metrics.ts';
import { ProducerTelemetry } from '../src/producer/producer-telemetry.ts';

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const runs = Number(process.argv[2] ?? 7);
const records = Number(process.argv[3] ?? 2_000_000);
const batch = 500;

function nsPerRecord(): number {
  const telemetry = new ProducerTelemetry('bench', new MetricsRecorder());
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i += batch) {
    telemetry.instruments();
    for (let j = 0; j < batch; j++) telemetry.buffered(j & 127);
    for (let j = 0; j < batch; j++) telemetry.settled(0);
  }
  const ns = Number(process.hrtime.bigint() - started) / records;
  telemetry.close();
  return ns;
}

const results: Record<'none' | 'sdk', number[]> = { none: [], sdk: [] };
for (let run = 0; run < runs; run++) {
  for (const mode of run % 2 === 0 ? (['none', 'sdk'] as const) : (['sdk', 'none'] as const)) {
    let provider: MeterProvider | undefined;
    if (mode === 'sdk') metrics.setGlobalMeterProvider((provider = new MeterProvider({ readers: [new Reader()] })));
    results[mode].push(nsPerRecord());
    metrics.disable();
    await provider?.shutdown();
  }
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(1)} (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)})`;
};
process.stdout.write(`ns per user record: no SDK ${summary(results.none)}, SDK ${summary(results.sdk)}\n`);
