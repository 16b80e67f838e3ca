/**
 * Registers an OpenTelemetry MeterProvider that pushes metrics over OTLP/HTTP (JSON) to a
 * collector: an OpenTelemetry Collector, Grafana Alloy, or anything that accepts OTLP.
 */
import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';

export interface OtlpMetrics {
  /** Exports what was collected now (the reader otherwise exports every `intervalMs`). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Exports every `intervalMs` to `url` (the collector's /v1/metrics; the exporter's default,
 * http://localhost:4318/v1/metrics, or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT when not given).
 * `exporter` replaces the OTLP exporter (tests wrap it to watch the exports).
 */
export function startOtlpMetrics(options: { url?: string; intervalMs?: number; exporter?: PushMetricExporter } = {}): OtlpMetrics {
  const exporter = options.exporter ?? new OTLPMetricExporter(options.url ? { url: options.url } : {});
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: options.intervalMs ?? 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    flush: () => provider.forceFlush(),
    async close() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}
