import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadOptional } from '../testing/optional-dependency.ts';
import { dashboardPage } from './page.ts';
import type { DashboardSnapshot } from './snapshot.ts';

/** The dashboard's HTTP side: the page, the latest snapshot, and the snapshots as server-sent events. */
export interface DashboardServer {
  url: string;
  port: number;
  /** Sends a snapshot to every open page, and to those that open later first. */
  publish(snapshot: DashboardSnapshot): void;
  close(): Promise<void>;
}

/**
 * Serves the dashboard with fastify (an optional peer dependency, loaded here so that the rest
 * of the package never needs it): `GET /` the page, `GET /snapshot` the latest snapshot as JSON,
 * `GET /events` a stream of them.
 */
export async function startDashboardServer(options: { host: string; port: number }): Promise<DashboardServer> {
  const fastify = loadOptional('fastify', 'The dashboard', ['fastify'], (r) => r('fastify') as typeof import('fastify'));
  const app: FastifyInstance = fastify.default({ forceCloseConnections: true });
  const streams = new Set<ServerResponse>();
  let latest: DashboardSnapshot | undefined;
  const send = (res: ServerResponse, snapshot: DashboardSnapshot) => res.write(`data: ${JSON.stringify(snapshot)}\n\n`);

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(dashboardPage));
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  app.get('/snapshot', (_request, reply) => (latest ? reply.send(latest) : reply.code(503).send({ error: 'no snapshot yet' })));
  app.get('/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // The page reconnects after this long when the stream breaks (a restart of the dashboard).
    res.write('retry: 2000\n\n');
    if (latest) send(res, latest);
    streams.add(res);
    request.raw.on('close', () => streams.delete(res));
  });
  await app.listen({ host: options.host, port: options.port });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    publish(snapshot) {
      latest = snapshot;
      for (const res of streams) send(res, snapshot);
    },
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      await app.close();
    },
  };
}
