import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidRecordError, type KinesisActorsError, type Producer } from '../../src/index.ts';
import { countFailures, sendClick } from '../click-capture/capture.ts';

/** Counts of the click endpoint, for the live view. */
export interface ClickServerStats {
  requests: number;
  /** Clicks the producer took (answered 202). */
  accepted: number;
  /** Clicks turned away with 503 (the producer full or closing). */
  rejected: number;
  /** User records of the PutRecords requests that succeeded whole, per shard. */
  putByShard: Map<string, number>;
  /** Accepted clicks that failed for good, from `producer.recordFailed`. */
  readonly failed: number;
}

/**
 * A minimal click-capture endpoint: POST /click with a JSON body; each click goes to the
 * producer's `send()` (as in examples/click-capture) and the response does not wait for Kinesis:
 * 202 when the producer took it, 503 with `Retry-After` when it is full or closing.
 */
export async function startClickServer(producer: Producer): Promise<{ url: string; server: Server; stats: ClickServerStats }> {
  const failures = countFailures(producer);
  const stats: ClickServerStats = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    putByShard: new Map(),
    get failed() {
      return failures.count;
    },
  };
  // send() makes no promise per click to learn its shard from: the live view counts requests.
  producer.on('producer.putRecords', ({ shardId, userRecords, failedKinesisRecords, error }) => {
    if (!error && failedKinesisRecords === 0) stats.putByShard.set(shardId, (stats.putByShard.get(shardId) ?? 0) + userRecords);
  });
  const server = createServer((req, res) => {
    stats.requests++;
    if (req.method !== 'POST' || req.url !== '/click') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      let click: { userId?: unknown };
      try {
        click = JSON.parse(body);
      } catch {
        res.writeHead(400).end('invalid JSON');
        return;
      }
      let unavailable;
      try {
        unavailable = sendClick(producer, click, String(click.userId ?? 'anonymous'));
      } catch (error) {
        // A record the producer refuses is the client's fault; anything else is the server's.
        const status = error instanceof InvalidRecordError ? 400 : 500;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: (error as KinesisActorsError).code, message: (error as Error).message }));
        return;
      }
      if (unavailable) {
        stats.rejected++;
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }).end(JSON.stringify({ code: unavailable }));
        return;
      }
      stats.accepted++;
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/click`, server, stats };
}
