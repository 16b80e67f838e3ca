import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from '../../src/index.ts';

/** Counts of the click endpoint, for the live view. */
export interface ClickServerStats {
  requests: number;
  accepted: number;
  rejected: number;
  /** User records acknowledged, per shard. */
  putByShard: Map<string, number>;
  failed: number;
}

/**
 * A minimal click-capture endpoint: POST /click with a JSON body; each click goes to the producer
 * and the response does not wait for Kinesis (the producer owns delivery from here on).
 */
export async function startClickServer(producer: Producer): Promise<{ url: string; server: Server; stats: ClickServerStats }> {
  const stats: ClickServerStats = { requests: 0, accepted: 0, rejected: 0, putByShard: new Map(), failed: 0 };
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
      producer.put(click, { partitionKey: String(click.userId ?? 'anonymous') }).then(
        (result) => stats.putByShard.set(result.shardId, (stats.putByShard.get(result.shardId) ?? 0) + 1),
        () => stats.failed++,
      );
      stats.accepted++;
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/click`, server, stats };
}
