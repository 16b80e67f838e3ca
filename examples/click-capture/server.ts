import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { createProducer, type Producer, type ProducerOptions } from '../../src/index.ts';
import { producerPlugin, type ProducerLike } from '../../src/web/fastify/index.ts';
import { countFailures, sendClick } from './capture.ts';

/** What the click routes use of a producer: `send()`, which answers at once whether it took the click, and its metrics. */
export type ClickProducer = ProducerLike & Pick<Producer, 'metrics'>;

/** One captured click, as put onto the stream. */
export interface Click {
  clickId: string;
  page: string;
  userId: string;
  referrer?: string;
  userAgent?: string;
  /** Server time of capture, ISO 8601. */
  at: string;
}

/** Counts of the capture endpoints. */
export interface ClickStats {
  /** Clicks the producer accepted (answered 202, or the pixel). */
  accepted: number;
  /** Clicks turned away with 503 (backpressure, closing). */
  rejected: number;
  /** Accepted clicks Kinesis acknowledged, and ones that failed for good. */
  delivered: number;
  failed: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    clickStats: ClickStats;
  }
}

/** A 1x1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The body of `POST /click`, as a JSON schema (the benchmark's peers serve the same). */
export const clickBody = {
  type: 'object',
  required: ['page', 'userId'],
  properties: {
    page: { type: 'string', minLength: 1, maxLength: 2048 },
    // A user id is the partition key: Kinesis allows 1–256 characters.
    userId: { type: 'string', minLength: 1, maxLength: 256 },
    referrer: { type: 'string', maxLength: 2048 },
  },
} as const;

const pixelQuery = {
  type: 'object',
  required: ['page', 'uid'],
  properties: { page: clickBody.properties.page, uid: clickBody.properties.userId },
} as const;

/**
 * The click-capture backend: `POST /click` (JSON `{ page, userId, referrer? }`) and
 * `GET /pixel.gif?page=&uid=`, each answered as soon as the producer accepted the click.
 * `close()` stops listening, lets requests in flight finish, then drains the producer.
 */
export async function buildClickServer(options: { producer: ProducerOptions | ClickProducer; logger?: Logger }): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = options.logger;
  // No type coercion: `{ "page": 7 }` is a bad click, not the page "7".
  const app = Fastify({ ...(loggerInstance ? { loggerInstance } : {}), bodyLimit: 16 * 1024, ajv: { customOptions: { coerceTypes: false } } });
  const given = options.producer as Partial<ClickProducer>;
  const producer = typeof given.send === 'function' ? (given as ClickProducer) : createProducer(options.producer as ProducerOptions);
  // The plugin owns it from here: it closes it once requests in flight have finished.
  await app.register(producerPlugin, { producer });
  const failures = countFailures(producer, ({ partitionKey, error }) => app.log.warn({ err: error, userId: partitionKey }, 'click not delivered'));
  const stats: ClickStats = {
    accepted: 0,
    rejected: 0,
    // Every record of this producer is an accepted click.
    get delivered() {
      return producer.metrics().UserRecordsPut;
    },
    get failed() {
      return failures.count;
    },
  };
  app.decorate('clickStats', stats);

  /** Hands a click to the producer (`sendClick()`), or answers 503 when it has no room or is closing. */
  async function capture(click: Click, reply: FastifyReply): Promise<boolean> {
    const unavailable = sendClick(producer, click, click.userId);
    if (unavailable) {
      stats.rejected++;
      await reply.code(503).header('retry-after', '1').send({ error: 'Service Unavailable', code: unavailable, message: 'try again shortly' });
      return false;
    }
    stats.accepted++;
    return true;
  }

  app.post<{ Body: { page: string; userId: string; referrer?: string } }>('/click', { schema: { body: clickBody } }, async (request, reply) => {
    const { page, userId, referrer } = request.body;
    const click: Click = { clickId: randomUUID(), page, userId, ...(referrer ? { referrer } : {}), userAgent: request.headers['user-agent'], at: new Date().toISOString() };
    if (await capture(click, reply)) await reply.code(202).send({ accepted: true, clickId: click.clickId });
  });

  app.get<{ Querystring: { page: string; uid: string } }>('/pixel.gif', { schema: { querystring: pixelQuery } }, async (request, reply) => {
    const { page, uid } = request.query;
    const click: Click = { clickId: randomUUID(), page, userId: uid, referrer: request.headers.referer, userAgent: request.headers['user-agent'], at: new Date().toISOString() };
    if (await capture(click, reply)) await reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
  });

  return app;
}
