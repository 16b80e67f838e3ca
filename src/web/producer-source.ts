import { InvalidOptionError } from '../errors.ts';
import { createProducer, type Producer } from '../producer/producer.ts';
import type { ProducerOptions } from '../producer/options.ts';

/** The methods of a producer a web backend hands to its routes. */
const methods = ['put', 'send', 'putMany', 'flush', 'on', 'close'] as const;

/** What a web backend hands to its routes: a {@link Producer}, or anything with its `put()`, `send()`, `putMany()`, `flush()`, `on()` and `close()`. */
export type ProducerLike = Pick<Producer, (typeof methods)[number]>;

/** The producer a web backend owns: the options of one to create, or one to use. Either way it is closed with the server. */
export type ProducerSource = ProducerOptions | ProducerLike;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks `options.producer` once and returns the producer to use: the one given (anything with
 * the methods of {@link ProducerLike}), or one created from the options given (which
 * `createProducer` validates). A bad value throws an `InvalidOptionError` naming it, before
 * anything is opened.
 * @internal
 */
export function producerFrom(options: unknown): ProducerLike {
  if (!isObject(options)) throw new InvalidOptionError('producer', 'is required: the options of a producer to create, or a producer', options);
  const source = options.producer;
  if (!isObject(source)) throw new InvalidOptionError('producer', 'must be the options of a producer to create ({ streamName, ... }) or a producer (with put() and close())', source);
  const missing = methods.filter((method) => typeof source[method] !== 'function');
  if (missing.length === 0) return source as unknown as ProducerLike;
  if (missing.length < methods.length) throw new InvalidOptionError(`producer.${missing[0]}`, `must be a function: a producer given has ${methods.map((m) => `${m}()`).join(', ')}`, source[missing[0]]);
  return createProducer(source as unknown as ProducerOptions);
}
