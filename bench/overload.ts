import { runJsonChild } from './child.ts';

/** `producer.rss.overloadMb`: RSS of a producer process offered `rate` events/s for `seconds`. */
export function runOverload(rate: number, seconds: number): Promise<{ rssMb: number; peakRssMb: number; limitMb: number; offered: number; put: number; rejected: number }> {
  return runJsonChild('./overload-child.ts', [rate, seconds]);
}
