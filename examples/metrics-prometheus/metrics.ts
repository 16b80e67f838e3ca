/**
 * Registers an OpenTelemetry MeterProvider whose metrics Prometheus scrapes over HTTP: what an
 * application adds once, at start-up, to get the producer's and the consumer's metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface PrometheusMetrics {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  close(): Promise<void>;
}

/** Serves the metrics at /metrics on `port` (9464, the exporter's usual port; 0 for any free one). */
export async function startPrometheusMetrics(port = 9464, host = '127.0.0.1'): Promise<PrometheusMetrics> {
  // The exporter can run its own server; serving it from ours lets port 0 work and tells the port.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) exporter.getMetricsRequestHandler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}/metrics`;
  return {
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      metrics.disable();
      await provider.shutdown();
    },
  };
}
