import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';

/** A metric reader that collects when asked. */
export class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}

  /** The data points of `name`, as collected now. */
  async points(name: string): Promise<DataPoint<number | Histogram>[]> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]);
  }

  /** The value of `name` at the point whose attributes include `attributes`. */
  async value(name: string, attributes: Record<string, string> = {}): Promise<number | Histogram | undefined> {
    const points = await this.points(name);
    return points.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))?.value;
  }
}

/** Registers a global MeterProvider with a {@link TestReader}; `disable()` undoes it. */
export function registerTestMeterProvider(): { reader: TestReader; provider: MeterProvider; disable(): Promise<void> } {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    reader,
    provider,
    async disable() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}
