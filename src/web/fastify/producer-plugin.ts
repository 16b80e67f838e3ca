import type { FastifyInstance } from 'fastify';
import { KinesisActorsError } from '../../errors.ts';
import { producerFrom, type ProducerLike, type ProducerSource } from '../producer-source.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Kinesis producer of this server (from `kinesis-actors/fastify`); closed, drained, when the server closes. */
    producer: ProducerLike;
  }
}

/** Options of {@link producerPlugin}. */
export interface ProducerPluginOptions {
  /** Options of the producer the plugin creates, or a producer to use; either way the plugin closes it when the server closes. */
  producer: ProducerSource;
}

/**
 * A fastify plugin that owns one producer: it decorates `fastify.producer` and closes it in
 * `onClose`. fastify runs `onClose` hooks once it has stopped listening and the requests in
 * flight have been answered, so every put that got its reply has been made when the producer
 * drains, and `await fastify.close()` resolves once all of them are in Kinesis (or have failed
 * for good). Requests answered during the close get `Connection: close`, so that kept-alive
 * connections do not hold the close open. Options are checked once, at registration: a bad one rejects it with an
 * `InvalidOptionError` (`INVALID_OPTION`) naming it.
 *
 * @example
 * import { producerPlugin } from 'kinesis-actors/fastify';
 * await app.register(producerPlugin, { producer: { streamName: 'clicks' } });
 * app.post('/click', async (request, reply) => { app.producer.put(request.body, { partitionKey: request.body.userId }); ... });
 * process.once('SIGTERM', () => app.close());
 */
export async function producerPlugin(fastify: FastifyInstance, options: ProducerPluginOptions): Promise<void> {
  // Checked before the producer is created: a second registration must not leave one open.
  if (fastify.hasDecorator('producer')) throw new KinesisActorsError('INVALID_OPTION', 'fastify.producer is already decorated: register producerPlugin once per server');
  const producer = producerFrom(options);
  fastify.decorate('producer', producer);
  // A request in flight at close() is answered on a kept-alive connection, which would then hold
  // the server's close (and the drain) until the client or keepAliveTimeout (72 s) ends it.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onClose', async () => {
    await producer.close();
  });
}

// What fastify-plugin does, without depending on it: the decorator and the hook belong to the
// server that registers the plugin, not to an encapsulated child context.
Object.assign(producerPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'kinesis-actors-producer' });
