import type { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

/** Settles `promise` by advancing `clock` 50 ms per turn of the event loop (at most `turns`). */
export async function drive<T>(clock: SimulatedClock, promise: Promise<T>, turns = 2000): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  result.catch(() => {}); // the caller asserts on it once driven
  for (let i = 0; i < turns && !done; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(50);
  }
  return result;
}
