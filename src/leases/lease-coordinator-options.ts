import { systemClock, type Clock } from '../internal/clock.ts';
import { InvalidOptionError } from '../errors.ts';
import { resolveLogger, defaultLogger, type Logger, type LoggerOption } from '../internal/logger.ts';
import { givenOption, warnDeprecated } from '../options/renamed-option.ts';
import { renamedLeaseCoordinatorOptions as renamed, type DeprecatedLeaseCoordinatorField } from '../options/renamed-options.ts';
import { finiteNumber, integer } from '../options/validate.ts';

/**
 * How a worker holds and balances leases: the settings the consumer and a coordinator used on
 * its own share. Names follow the KCL's `LeaseManagementConfig`.
 */
export interface LeaseBalanceOptions {
  /**
   * A lease whose counter has not moved for this long (in another worker's view) may be taken.
   * @defaultValue 10000 (as the KCL)
   */
  failoverTimeMillis?: number | undefined;
  /**
   * How often held leases are renewed, ms; below the failover time. Not a KCL setting: the KCL
   * renews every failoverTimeMillis / 3 − 25 ms (3,308). @defaultValue failoverTimeMillis / 3 (3333)
   */
  renewIntervalMs?: number | undefined;
  /** @deprecated Use `renewIntervalMs`; this name goes in the next release. */
  renewIntervalMillis?: number | undefined;
  /**
   * How often the table is scanned for leases to take, ms. Dead workers' leases move after at
   * most failover + one interval, and a new worker gets its share within a few intervals; each
   * round costs one Scan. Not a KCL setting: the KCL 2.x taker runs every
   * 2 × (failoverTimeMillis + 25) ms (20,050), so a released or new lease waits up to 20 s.
   * @defaultValue failoverTimeMillis / 10 (1000) in a consumer; failoverTimeMillis / 5 (2000)
   * for a coordinator used on its own
   */
  takerIntervalMs?: number | undefined;
  /** @deprecated Use `takerIntervalMs`; this name goes in the next release. */
  takerIntervalMillis?: number | undefined;
  /** Most leases this worker holds. @defaultValue Infinity (as the KCL) */
  maxLeasesForWorker?: number | undefined;
  /**
   * Most leases stolen per taker round. The KCL steals one; two halves the rounds a joining
   * worker needs while keeping each round's interruptions (and duplicate records) small.
   * @defaultValue 2 (the KCL: 1)
   */
  maxLeasesToStealAtOneTime?: number | undefined;
  /**
   * How long a lease in another worker's KCL 3.x graceful hand-off (its `checkpointOwner` names
   * that worker) is left alone before this worker may take it anyway, counted from when this
   * worker first saw the hand-off. 0 takes such leases like any other.
   * @defaultValue 30000 (the KCL 3.x `gracefulLeaseHandoffTimeoutMillis`)
   */
  gracefulLeaseHandoffTimeoutMillis?: number | undefined;
  /**
   * Workers that watch each segment of the lease table. With W live workers the table is read
   * in `2^floor(log2(W / scannersPerSegment))` segments, each watched every taker round by this
   * many workers (which judge its leases' expiry and take its free ones), so the fleet reads the
   * table about 2 × scannersPerSegment times per round whatever W is (see the README's lease
   * section); below 2 × scannersPerSegment workers each one scans the whole table, as the KCL
   * 2.x does. 2 keeps every segment watched when one of its watchers dies. Not a KCL setting.
   * @defaultValue 2
   */
  scannersPerSegment?: number | undefined;
  /**
   * Balance bytes too: a worker below its share of the fleet's `throughputKBps` steals a lease
   * from one carrying more than this many times its share. Infinity balances on lease counts
   * only. The KCL 3.x balances CPU with a similar threshold.
   * @defaultValue 1.2
   */
  throughputImbalanceThreshold?: number | undefined;
  /**
   * A lease seen changing owner is not stolen again (for counts or bytes) for this many taker
   * rounds, so noisy throughput cannot make it bounce. Free and expired leases are taken anyway.
   * @defaultValue 10
   */
  leaseMoveCooldownRounds?: number | undefined;
}

/** Options of {@link LeaseCoordinator}; names follow the KCL's `LeaseManagementConfig`. */
export interface LeaseCoordinatorOptions extends LeaseBalanceOptions {
  /**
   * This worker's id, written as `leaseOwner`; unique per process (the KCL's `workerIdentifier`).
   * Required (typed optional while the deprecated `workerId` may stand in for it).
   */
  workerIdentifier?: string | undefined;
  /** @deprecated Use `workerIdentifier` (the KCL's name); this name goes in the next release. */
  workerId?: string | undefined;
  /** @defaultValue the system clock */
  clock?: Clock | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out). Anything else throws `InvalidOptionError`. @defaultValue warnings and errors to stderr */
  logger?: LoggerOption | undefined;
  /** Uniform in [0, 1), for the taker's shuffles. @defaultValue Math.random */
  random?: (() => number) | undefined;
  /**
   * How often a worker scans its segments of the lease table, ms, when the table has the index
   * `LeaseOwnerToLeaseKeyIndex` (released leases are then handed over directly and found by a
   * Query every taker round, so scans only judge expiry, find new leases and balance). Rounded
   * down to whole taker rounds. A crashed worker's leases are taken within failoverTimeMillis
   * + 2 × this (+ a scan's duration). Without the index, every taker round scans.
   * @defaultValue failoverTimeMillis / 5 (2000), at least takerIntervalMs
   */
  leaseScanIntervalMs?: number | undefined;
}

/** Options after defaults and validation; frozen. */
export type ResolvedLeaseCoordinatorOptions = Readonly<Required<Omit<LeaseCoordinatorOptions, 'logger' | DeprecatedLeaseCoordinatorField>> & { logger: Logger }>;

/** Every default in one place; the intervals are fractions of the failover time when it is changed. */
export const leaseCoordinatorDefaults = Object.freeze({
  failoverTimeMillis: 10_000,
  renewsPerFailover: 3,
  takerRoundsPerFailover: 5,
  scansPerFailover: 5,
  maxLeasesForWorker: Infinity,
  maxLeasesToStealAtOneTime: 2,
  gracefulLeaseHandoffTimeoutMillis: 30_000,
  scannersPerSegment: 2,
  throughputImbalanceThreshold: Infinity,
  leaseMoveCooldownRounds: 10,
});

/** The scale settings of {@link LeaseBalanceOptions}, validated; the consumer resolves them here too. */
export function resolveLeaseScaleOptions(options: LeaseBalanceOptions): { scannersPerSegment: number; throughputImbalanceThreshold: number; leaseMoveCooldownRounds: number } {
  const d = leaseCoordinatorDefaults;
  const threshold = options.throughputImbalanceThreshold ?? d.throughputImbalanceThreshold;
  return {
    scannersPerSegment: integer('scannersPerSegment', options.scannersPerSegment ?? d.scannersPerSegment, 1, 1000),
    throughputImbalanceThreshold: threshold === Infinity ? Infinity : finiteNumber('throughputImbalanceThreshold', threshold, 1),
    leaseMoveCooldownRounds: integer('leaseMoveCooldownRounds', options.leaseMoveCooldownRounds ?? d.leaseMoveCooldownRounds, 0, 1_000_000),
  };
}

/**
 * Applies the defaults, checks each field and the rules between them, and freezes the result.
 * Messages name the field: `options.failoverTimeMillis must be an integer from 100 to 3600000 (got -1)`.
 */
export function resolveLeaseCoordinatorOptions(options: LeaseCoordinatorOptions): ResolvedLeaseCoordinatorOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object', options);
  const given = {
    workerIdentifier: givenOption(options, renamed.workerIdentifier),
    renewIntervalMs: givenOption(options, renamed.renewIntervalMs),
    takerIntervalMs: givenOption(options, renamed.takerIntervalMs),
  };
  const workerIdentifier = given.workerIdentifier.value;
  if (typeof workerIdentifier !== 'string' || workerIdentifier.length === 0 || workerIdentifier.length > 1024) {
    throw new InvalidOptionError(given.workerIdentifier.field, 'must be a string of 1–1024 characters, unique per worker process', workerIdentifier);
  }
  const d = leaseCoordinatorDefaults;
  const failoverTimeMillis = integer('failoverTimeMillis', options.failoverTimeMillis ?? d.failoverTimeMillis, 100, 3_600_000);
  const renewIntervalMs = integer(given.renewIntervalMs.field, given.renewIntervalMs.value ?? Math.floor(failoverTimeMillis / d.renewsPerFailover), 10, 3_600_000);
  if (renewIntervalMs >= failoverTimeMillis) {
    throw new InvalidOptionError(
      given.renewIntervalMs.field,
      `must be below options.failoverTimeMillis (${failoverTimeMillis}), or other workers see the leases expire between renewals`,
      renewIntervalMs,
    );
  }
  const takerIntervalMs = integer(given.takerIntervalMs.field, given.takerIntervalMs.value ?? Math.floor(failoverTimeMillis / d.takerRoundsPerFailover), 10, 3_600_000);
  const maxLeasesForWorker = options.maxLeasesForWorker ?? d.maxLeasesForWorker;
  if (typeof maxLeasesForWorker !== 'number' || !(maxLeasesForWorker === Infinity || Number.isInteger(maxLeasesForWorker)) || maxLeasesForWorker < 1) {
    throw new InvalidOptionError('maxLeasesForWorker', 'must be a positive integer or Infinity', maxLeasesForWorker);
  }
  const maxLeasesToStealAtOneTime = integer('maxLeasesToStealAtOneTime', options.maxLeasesToStealAtOneTime ?? d.maxLeasesToStealAtOneTime, 0, 1000);
  const gracefulLeaseHandoffTimeoutMillis = integer('gracefulLeaseHandoffTimeoutMillis', options.gracefulLeaseHandoffTimeoutMillis ?? d.gracefulLeaseHandoffTimeoutMillis, 0, 3_600_000);
  const leaseScanIntervalMs = integer('leaseScanIntervalMs', options.leaseScanIntervalMs ?? Math.min(failoverTimeMillis, Math.max(takerIntervalMs, Math.floor(failoverTimeMillis / d.scansPerFailover))), 10, failoverTimeMillis);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw new InvalidOptionError('clock', 'must have now(), setTimeout() and clearTimeout()', clock);
  }
  const logger = resolveLogger(options.logger) ?? defaultLogger();
  warnDeprecated(options.logger, logger, Object.values(given));
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new InvalidOptionError('random', 'must be a function returning numbers in [0, 1)', random);
  return Object.freeze({
    workerIdentifier,
    failoverTimeMillis,
    renewIntervalMs,
    takerIntervalMs,
    maxLeasesForWorker,
    maxLeasesToStealAtOneTime,
    gracefulLeaseHandoffTimeoutMillis,
    leaseScanIntervalMs,
    ...resolveLeaseScaleOptions(options),
    clock,
    logger,
    random,
  });
}
