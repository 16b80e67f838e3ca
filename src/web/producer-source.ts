import { InvalidOptionError } from '../errors.ts';
import { createProducer, type Producer } from '../producer/producer.ts';
import type { ProducerOptions } from '../producer/options.ts';

/** What a web backend needs of a producer: a {@link Producer}, or anything with its `put()` and `close()`. */
export type ProducerLike = Pick<Producer, 'put' | 'close'>;

/** The producer a web backend owns: the options of one to create, or one to use. Either way it is closed with the server. */
export type ProducerSource = ProducerOptions | ProducerLike;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks `options.producer` once and returns the producer to use: the one given (anything with
 * `put()` and `close()`), or one created from the options given (which `createProducer`
 * validates). A bad value throws an `InvalidOptionError` naming it, before anything is opened.
 * @internal
 */
export function producerFrom(options: unknown): ProducerLike {
  if (!isObject(options)) throw new InvalidOptionError('producer', 'is required: the options of a producer to create, or a producer', options);
  const source = options.producer;
  if (!isObject(source)) throw new InvalidOptionError('producer', 'must be the options of a producer to create ({ streamName, ... }) or a producer (with put() and close())', source);
  const hasPut = typeof source.put === 'function';
  const hasClose = typeof source.close === 'function';
  if (hasPut !== hasClose) throw new InvalidOptionError(hasPut ? 'producer.close' : 'producer.put', 'must be a function: a producer given has put() and close()', source[hasPut ? 'close' : 'put']);
  return hasPut ? (source as unknown as ProducerLike) : createProducer(source as unknown as ProducerOptions);
}
