/**
 * A stand-in for an OpenTelemetry Collector, for trying the example without one: accepts OTLP/HTTP
 * JSON exports at /v1/metrics and keeps the last value of each sum and gauge series.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface OtlpValue {
  asInt?: string | number;
  asDouble?: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface OtlpExport {
  resourceMetrics: { scopeMetrics: { metrics: { name: string; sum?: { dataPoints: OtlpValue[] }; gauge?: { dataPoints: OtlpValue[] } }[] }[] }[];
}

/** One series: a metric name and its attributes, as `name{key="value",...}`. */
export type SeriesKey = string;

export interface OtlpReceiver {
  /** The URL to export to. */
  url: string;
  /** The last value received of each sum and gauge series. */
  values: Map<SeriesKey, number>;
  /** Exports received. */
  exports: number;
  close(): Promise<void>;
}

function seriesKey(name: string, point: OtlpValue): SeriesKey {
  const labels = (point.attributes ?? []).map((a) => `${a.key}="${a.value.stringValue ?? ''}"`).sort();
  return `${name}{${labels.join(',')}}`;
}

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const receiver = { url: '', values: new Map<SeriesKey, number>(), exports: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/metrics' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport;
      receiver.exports++;
      for (const { scopeMetrics } of body.resourceMetrics) {
        for (const { metrics } of scopeMetrics) {
          for (const metric of metrics) {
            for (const point of (metric.sum ?? metric.gauge)?.dataPoints ?? []) receiver.values.set(seriesKey(metric.name, point), Number(point.asInt ?? point.asDouble));
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
