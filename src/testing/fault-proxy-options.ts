import { InvalidOptionError } from '../errors.ts';
import { finiteNumber, positiveNumber } from '../options/validate.ts';
import type { ShardWriteLimits } from './token-bucket.ts';

/** Per-shard write limits to enforce; each defaults to the Kinesis limit. */
export interface ThrottleOptions {
  /** Data plus partition key bytes per shard per second. @defaultValue 1 MiB (1048576) */
  bytesPerSecond?: number | undefined;
  /** Records per shard per second. @defaultValue 1000 */
  recordsPerSecond?: number | undefined;
}

/** The faults of a {@link FaultProxy}; every one can be changed at run time with `configure()`. */
export interface FaultProxyFaults {
  /**
   * Seed of the generator behind every random decision (latency, resets, failures). The same
   * seed and the same sequence of requests reproduce the same decisions; `configure({ seed })`
   * restarts the sequence. Throttling depends on time, not on the seed.
   * @defaultValue 1
   */
  seed?: number | undefined;
  /**
   * Enforce per-shard write limits with token buckets holding one second of each limit.
   * `true` means the Kinesis limits. Changing it resets the buckets to full.
   * @defaultValue false
   */
  throttle?: boolean | ThrottleOptions | undefined;
  /**
   * Probability (0..1) that a request is answered with HTTP 500 `InternalFailure` or 503
   * `ServiceUnavailable` (even odds) without being forwarded.
   * @defaultValue 0
   */
  requestFailureRate?: number | undefined;
  /**
   * Probability (0..1) that a PutRecords entry fails with `InternalFailure` and is not written.
   * PutRecord (singular) is not affected; use `requestFailureRate` for it.
   * @defaultValue 0
   */
  entryFailureRate?: number | undefined;
  /** Probability (0..1) that the proxy destroys the client's connection instead of answering. @defaultValue 0 */
  connectionResetRate?: number | undefined;
  /**
   * Share (0..1) of connection resets made after the upstream answered, so the records were
   * written but the client never hears it: how duplicates happen. The rest reset before forwarding.
   * @defaultValue 0.5
   */
  resetAfterForward?: number | undefined;
  /** Delay before a request is handled, fixed or uniform in [min, max]. @defaultValue 0 */
  latencyMs?: number | { min: number; max: number } | undefined;
  /**
   * X-Amz-Target operations (without the `Kinesis_20131202.` prefix) that faults apply to;
   * others are proxied untouched with their bodies streamed.
   * @defaultValue ['PutRecords', 'PutRecord']
   */
  operations?: readonly string[] | undefined;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions extends FaultProxyFaults {
  /** URL of the Kinesis emulator to forward to, such as `stack.kinesisEndpoint`. */
  upstream: string;
  /** Time source of the token buckets, in milliseconds. @defaultValue `performance.now()` */
  clock?: { now(): number } | undefined;
}

/** Options after validation, with every default applied. @internal */
export interface ResolvedFaultProxyOptions {
  readonly upstream: URL;
  readonly clock: { now(): number };
  readonly seed: number;
  readonly throttle: Readonly<ShardWriteLimits> | false;
  readonly requestFailureRate: number;
  readonly entryFailureRate: number;
  readonly connectionResetRate: number;
  readonly resetAfterForward: number;
  readonly latencyMs: { readonly min: number; readonly max: number };
  readonly operations: ReadonlySet<string>;
}

const defaultFaults = {
  seed: 1,
  throttle: false,
  requestFailureRate: 0,
  entryFailureRate: 0,
  connectionResetRate: 0,
  resetAfterForward: 0.5,
  latencyMs: 0,
  operations: ['PutRecords', 'PutRecord'],
} as const satisfies FaultProxyFaults;

const kinesisLimits: ShardWriteLimits = { bytesPerSecond: 1024 * 1024, recordsPerSecond: 1000 };

const performanceClock = { now: () => performance.now() };

const rate = (field: string, value: unknown): number => finiteNumber(field, value, 0, 1);

function resolveThrottle(throttle: boolean | ThrottleOptions): ShardWriteLimits | false {
  if (throttle === false) return false;
  if (throttle === true) return Object.freeze({ ...kinesisLimits });
  if (typeof throttle !== 'object' || throttle === null) {
    throw new InvalidOptionError('throttle', 'must be a boolean or { bytesPerSecond?, recordsPerSecond? }', throttle);
  }
  return Object.freeze({
    bytesPerSecond: positiveNumber('throttle.bytesPerSecond', throttle.bytesPerSecond ?? kinesisLimits.bytesPerSecond),
    recordsPerSecond: positiveNumber('throttle.recordsPerSecond', throttle.recordsPerSecond ?? kinesisLimits.recordsPerSecond),
  });
}

function resolveLatency(latency: number | { min: number; max: number }): { min: number; max: number } {
  if (typeof latency === 'number') {
    finiteNumber('latencyMs', latency, 0);
    return Object.freeze({ min: latency, max: latency });
  }
  if (typeof latency !== 'object' || latency === null) {
    throw new InvalidOptionError('latencyMs', 'must be a number or { min, max }', latency);
  }
  const min = finiteNumber('latencyMs.min', latency.min, 0);
  const max = finiteNumber('latencyMs.max', latency.max, 0);
  if (max < min) throw new InvalidOptionError('latencyMs.max', `must be ≥ latencyMs.min (${min})`, max);
  return Object.freeze({ min, max });
}

/**
 * Checks every option, applies the defaults and freezes the result. Fields absent from
 * `options` keep their value in `base` (the current options, for `configure()`).
 * @internal
 */
export function resolveFaultProxyOptions(
  options: FaultProxyFaults & { upstream?: string; clock?: { now(): number } },
  base?: ResolvedFaultProxyOptions,
): ResolvedFaultProxyOptions {
  let upstream = base?.upstream;
  if (options.upstream !== undefined || upstream === undefined) {
    try {
      upstream = new URL(options.upstream as string);
    } catch {
      throw new InvalidOptionError('upstream', 'must be an http URL such as stack.kinesisEndpoint', options.upstream);
    }
    if (upstream.protocol !== 'http:') {
      throw new InvalidOptionError('upstream', 'must be an http: URL (the proxy speaks plain HTTP/1.1)', options.upstream);
    }
  }
  const seed = options.seed ?? base?.seed ?? defaultFaults.seed;
  if (!Number.isInteger(seed)) throw new InvalidOptionError('seed', 'must be an integer', seed);
  const clock = options.clock ?? base?.clock ?? performanceClock;
  if (typeof clock?.now !== 'function') throw new InvalidOptionError('clock', 'must have a now() method', clock);
  const operations = options.operations ?? (base ? [...base.operations] : defaultFaults.operations);
  if (!Array.isArray(operations) || !operations.every((op) => typeof op === 'string')) {
    throw new InvalidOptionError('operations', 'must be an array of operation names such as "PutRecords"', operations);
  }
  return Object.freeze({
    upstream,
    clock,
    seed,
    // Kept by identity when unchanged: a new value resets the token buckets.
    throttle: options.throttle === undefined && base ? base.throttle : resolveThrottle(options.throttle ?? defaultFaults.throttle),
    requestFailureRate: rate('requestFailureRate', options.requestFailureRate ?? base?.requestFailureRate ?? defaultFaults.requestFailureRate),
    entryFailureRate: rate('entryFailureRate', options.entryFailureRate ?? base?.entryFailureRate ?? defaultFaults.entryFailureRate),
    connectionResetRate: rate('connectionResetRate', options.connectionResetRate ?? base?.connectionResetRate ?? defaultFaults.connectionResetRate),
    resetAfterForward: rate('resetAfterForward', options.resetAfterForward ?? base?.resetAfterForward ?? defaultFaults.resetAfterForward),
    latencyMs: resolveLatency(options.latencyMs ?? base?.latencyMs ?? defaultFaults.latencyMs),
    operations: new Set(operations),
  });
}
