/**
 * The producer in an Express-style backend (Express, connect, plain `node:http`):
 * `kinesis-actors/express`. Imports nothing of Express.
 */
export { producerMiddleware } from './producer-middleware.ts';
export type { ProducerMiddleware, ProducerMiddlewareOptions, ProducerRequest } from './producer-middleware.ts';
export type { ProducerLike, ProducerSource } from '../producer-source.ts';
