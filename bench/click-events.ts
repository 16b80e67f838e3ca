import { clickEvent } from './click-event.mjs';

export { clickEvent };

interface ClickProducer {
  put(value: unknown, options: { partitionKey: string }): Promise<unknown>;
  readonly outstanding: { waiting: number };
}

/**
 * Offers click events 0, 1, 2... to a producer until `events` were offered or `seconds` passed,
 * then waits for every result and resolves with how many were put. It behaves like a server
 * that respects backpressure: it yields to the event loop every 2,000 puts, and offers nothing
 * more while puts are waiting for room. Each result is handled and let go, as a request handler
 * would: holding every promise to the end would keep millions of settled promises alive for the
 * garbage collector to trace.
 */
function offerClickEvents(producer: ClickProducer, limit: { events?: number; seconds?: number }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const events = limit.events ?? Number.POSITIVE_INFINITY;
    const deadline = limit.seconds === undefined ? Number.POSITIVE_INFINITY : performance.now() + limit.seconds * 1000;
    let offered = 0;
    let settled = 0;
    let offering = true;
    const done = () => {
      if (++settled === offered && !offering) resolve(offered);
    };
    const run = async () => {
      while (offered < events && performance.now() < deadline) {
        for (const end = Math.min(events, offered + 2000); offered < end; offered++) {
          const { value, partitionKey } = clickEvent(offered);
          producer.put(value, { partitionKey }).then(done, reject);
        }
        await new Promise((resolve) => setImmediate(resolve));
        while (producer.outstanding.waiting > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      offering = false;
      if (settled === offered) resolve(offered);
    };
    run().catch(reject);
  });
}

/** Puts click events 0..events-1 through a producer and waits for every result (see {@link offerClickEvents}). */
export async function putClickEvents(producer: ClickProducer, events: number): Promise<void> {
  await offerClickEvents(producer, { events });
}

/** Puts click events through a producer for `seconds`, waits for every result, and returns how many were put. */
export function putClickEventsFor(producer: ClickProducer, seconds: number): Promise<number> {
  return offerClickEvents(producer, { seconds });
}
