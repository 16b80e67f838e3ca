/**
 * What a consumer-side pipeline costs per record, with no OpenTelemetry SDK registered and with
 * the SDK and a reader (collected once per run), interleaved: batches of 500 records through
 * three stages (map, filter dropping a fifth, map), pushed and completed one after the other.
 * Prints ns per record, medians with the lowest and highest.
 *
 *   npx tsx bench/pipeline-otel-cost.ts [runs] [records]
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { resolvePipelineOptions } from '../src/pipeline/options.ts';
import { defineStage } from '../src/pipeline/stage.ts';
import { StageChain } from '../src/pipeline/stage-chain.ts';
import { silentLogger } from '../src/internal/logger.ts';

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const runs = Number(process.argv[2] ?? 7);
const records = Number(process.argv[3] ?? 1_000_000);
const batch = 500;
const items = Array.from({ length: batch }, (_, i) => i);
const stages = [
  defineStage<number, number>({ name: 'double', create: () => ({ process: (xs) => xs.map((x) => x * 2) }) }),
  defineStage<number, number>({ name: 'drop-fifths', create: () => ({ process: (xs) => xs.filter((x) => x % 5 !== 0) }) }),
  defineStage<number, number>({ name: 'inc', create: () => ({ process: (xs) => xs.map((x) => x + 1) }) }),
];

async function nsPerRecord(): Promise<number> {
  const chain = new StageChain<number>({
    stages: stages as never,
    options: resolvePipelineOptions({ tickIntervalMs: 0, logger: silentLogger() }),
    shardId: 'shardId-0',
    deliver: () => undefined,
    completed: () => {},
    failed: () => {},
    tickMeta: () => -1,
  });
  chain.open();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i += batch) await (await chain.push(items, i)).done;
  const ns = Number(process.hrtime.bigint() - started) / records;
  await chain.close();
  return ns;
}

const results: Record<'none' | 'sdk', number[]> = { none: [], sdk: [] };
const modes = process.env.NO_SDK_ONLY ? (['none'] as const) : (['none', 'sdk'] as const);
for (let run = 0; run < runs; run++) {
  for (const mode of run % 2 === 0 ? modes : [...modes].reverse()) {
    let provider: MeterProvider | undefined;
    const reader = new Reader();
    if (mode === 'sdk') metrics.setGlobalMeterProvider((provider = new MeterProvider({ readers: [reader] })));
    results[mode].push(await nsPerRecord());
    if (provider) await reader.collect();
    metrics.disable();
    await provider?.shutdown();
  }
}
const summary = (xs: number[]) => {
  if (xs.length === 0) return '—';
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(1)} (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)})`;
};
process.stdout.write(`ns per record through 3 stages: no SDK ${summary(results.none)}, SDK ${summary(results.sdk)}\n`);
