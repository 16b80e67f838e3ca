/**
 * The producer in a fastify backend: `kinesis-actors/fastify`. Needs fastify, an optional peer
 * dependency (this entry imports only its types).
 */
export { producerPlugin } from './producer-plugin.ts';
export type { ProducerPluginOptions } from './producer-plugin.ts';
export type { ProducerLike, ProducerSource } from '../producer-source.ts';
