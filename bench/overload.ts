import { runJsonChild } from './child.ts';

/** `producer.rss.overloadMb`: RSS of a producer process offered `rate` events/s for `seconds`. */
export function runOverload(rate: number, seconds: number): Promise<{
  rssMb: number;
  peakRssMb: number;
  limitMb: number;
  offered: number;
  put: number;
  rejected: number;
  /** process.memoryUsage() at the end, in MB: where the RSS is. */
  mem: Record<string, number>;
  outstanding: { records: number; bytes: number; waiting: number };
}> {
  return runJsonChild('./overload-child.mjs', [rate, seconds]);
}
