import type { KinesisActorsError, ProducerEvents } from '../../src/index.ts';
import type { ProducerLike } from '../../src/web/producer-source.ts';

/** Why a click was not taken: the producer is full or closing, a 503 with `Retry-After` for the client. */
export type Unavailable = 'BACKPRESSURE' | 'PRODUCER_CLOSED';

/**
 * Hands a click to `send()`, which throws at once when the producer does not take it, so a
 * route needs no promise per click. Returns the code to answer 503 with when the producer is
 * full or closing, `undefined` when it took the click; any other error (a bad record) is thrown.
 */
export function sendClick(producer: Pick<ProducerLike, 'send'>, click: unknown, partitionKey: string): Unavailable | undefined {
  try {
    producer.send(click, { partitionKey });
    return undefined;
  } catch (error) {
    const code = (error as KinesisActorsError).code;
    if (code === 'BACKPRESSURE' || code === 'PRODUCER_CLOSED') return code;
    throw error;
  }
}

/**
 * Counts the clicks that were taken and then failed for good (retries or time to live spent,
 * turned away after waiting in line): `producer.recordFailed`, how `send()` callers learn of them.
 */
export function countFailures(producer: Pick<ProducerLike, 'on'>, onFailure?: (failure: ProducerEvents['producer.recordFailed']) => void): { readonly count: number } {
  let count = 0;
  producer.on('producer.recordFailed', (failure) => {
    count++;
    onFailure?.(failure);
  });
  return {
    get count() {
      return count;
    },
  };
}
