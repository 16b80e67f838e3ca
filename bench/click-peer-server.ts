import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { clickBody, type Click } from '../examples/click-capture/server.ts';

/** How a peer hands a click to Kinesis: awaited before the reply, or not. */
export interface PeerCapture {
  capture(click: Click): Promise<void> | void;
  close(): Promise<void>;
}

/**
 * The click-capture example's `POST /click` (the same body schema and click), written as a
 * team would without this framework: the click goes to `peer.capture`, and the reply follows
 * once that returns (or its promise resolves). The peer is closed after the server.
 */
export async function buildPeerClickServer(peer: PeerCapture): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 16 * 1024, ajv: { customOptions: { coerceTypes: false } } });
  app.addHook('onClose', () => peer.close());
  app.post<{ Body: { page: string; userId: string; referrer?: string } }>('/click', { schema: { body: clickBody } }, async (request, reply) => {
    const { page, userId, referrer } = request.body;
    const click: Click = { clickId: randomUUID(), page, userId, ...(referrer ? { referrer } : {}), userAgent: request.headers['user-agent'], at: new Date().toISOString() };
    await peer.capture(click);
    await reply.code(202).send({ accepted: true, clickId: click.clickId });
  });
  return app;
}
