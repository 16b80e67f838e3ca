import type { FastifyInstance } from 'fastify';
import { createProducer, type Producer, type ProducerOptions } from '../../src/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Kinesis producer of this server; closed (drained) when the server closes. */
    producer: ProducerLike;
  }
}

/** What the routes need of a producer (a benchmark passes a no-op in its place). */
export type ProducerLike = Pick<Producer, 'put' | 'close'>;

/** Options of {@link producerPlugin}. */
export interface ProducerPluginOptions {
  /** Options of the producer the plugin creates, or a producer to use; either way the plugin closes it. */
  producer: ProducerOptions | ProducerLike;
}

/**
 * A fastify plugin that owns one producer: it decorates `fastify.producer`, and closes it in
 * `onClose`. fastify runs plugin `onClose` hooks after its own, which stops the listener and
 * waits for requests in flight; so by the time `producer.close()` drains, every put that got a
 * 202 has been made, and `await fastify.close()` resolves once all of them are in Kinesis (or
 * have failed for good).
 *
 * @example
 * await app.register(producerPlugin, { producer: { streamName: 'clicks' } });
 * process.once('SIGTERM', () => app.close());
 */
export async function producerPlugin(fastify: FastifyInstance, options: ProducerPluginOptions): Promise<void> {
  const given = options.producer as ProducerLike;
  const producer = typeof given.put === 'function' ? given : createProducer(options.producer as ProducerOptions);
  fastify.decorate('producer', producer);
  fastify.addHook('onClose', async () => {
    await producer.close();
  });
}

// What fastify-plugin does: share the decorator with the parent instead of encapsulating it.
Object.assign(producerPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'kinesis-producer' });
