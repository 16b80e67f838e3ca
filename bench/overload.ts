import { runJsonChild } from './child.ts';

/**
 * `producer.rss.overloadMb`: RSS of a producer process (plain JavaScript on the compiled package)
 * offered `rate` events/s for `seconds`; `idleRssMb` is the same process before the load.
 */
export function runOverload(rate: number, seconds: number): Promise<{
  rssMb: number;
  peakRssMb: number;
  idleRssMb: number;
  limitMb: number;
  offered: number;
  put: number;
  rejected: number;
  /** process.memoryUsage() idle and at the end, in MB: where the RSS is. */
  idle: Record<string, number>;
  mem: Record<string, number>;
  outstanding: { records: number; bytes: number; waiting: number };
}> {
  return runJsonChild('./overload-child.mjs', [rate, seconds]);
}
