import type { RenamedOption } from './renamed-option.ts';

/**
 * Every renamed option of every component, in one place: the old names are accepted, with a
 * warning, until the next release, which deletes these tables and the aliases' fields.
 */

/** Two initial positions are one setting when equal, or the same AT_TIMESTAMP instant. */
function samePosition(a: unknown, b: unknown): boolean {
  const time = (p: unknown) => {
    const timestamp = (p as { timestamp?: unknown } | null)?.timestamp;
    return timestamp instanceof Date ? timestamp.getTime() : undefined;
  };
  return a === b || (time(a) !== undefined && time(a) === time(b));
}

const secondsOfMs = (ms: number): number => (ms === -1 ? -1 : ms / 1000);

/**
 * The KPL's names (`maxUserRecordSize`), and the `Ms` suffix on the producer's own durations.
 * @internal
 */
export const renamedProducerOptions = Object.freeze({
  maxUserRecordSize: { name: 'maxUserRecordSize', alias: 'maxRecordSize' },
  maxBackpressureWaitMs: { name: 'maxBackpressureWaitMs', alias: 'maxBackpressureWait' },
  retryBaseDelayMs: { name: 'retryBaseDelayMs', alias: 'retryBaseDelay' },
  retryMaxDelayMs: { name: 'retryMaxDelayMs', alias: 'retryMaxDelay' },
  metricsIntervalMs: { name: 'metricsIntervalMs', alias: 'metricsInterval' },
} satisfies Record<string, RenamedOption>);

/** The deprecated names of the producer, which the resolved options do not have. @internal */
export type DeprecatedProducerField = 'maxRecordSize' | 'maxBackpressureWait' | 'retryBaseDelay' | 'retryMaxDelay' | 'metricsInterval';

/**
 * The KCL's names (`ConfigsBuilder`, `RetrievalConfig`, `PollingConfig`), and the `Ms` suffix on
 * the consumer's own durations.
 * @internal
 */
export const renamedConsumerOptions = Object.freeze({
  workerIdentifier: { name: 'workerIdentifier', alias: 'workerId' },
  initialPositionInStreamExtended: { name: 'initialPositionInStreamExtended', alias: 'initialPosition', equals: samePosition },
  idleTimeBetweenReadsInMillis: { name: 'idleTimeBetweenReadsInMillis', alias: 'idleTimeBetweenReadsMillis' },
  metricsIntervalMs: { name: 'metricsIntervalMs', alias: 'metricsInterval' },
  renewIntervalMs: { name: 'renewIntervalMs', alias: 'renewIntervalMillis' },
  takerIntervalMs: { name: 'takerIntervalMs', alias: 'takerIntervalMillis' },
} satisfies Record<string, RenamedOption>);

/** The deprecated names of the consumer, which the resolved options do not have. @internal */
export type DeprecatedConsumerField = 'workerId' | 'initialPosition' | 'idleTimeBetweenReadsMillis' | 'metricsInterval' | 'renewIntervalMillis' | 'takerIntervalMillis';

/** The KCL's names, and the `Ms` suffix on the coordinator's own intervals. @internal */
export const renamedLeaseCoordinatorOptions = Object.freeze({
  workerIdentifier: renamedConsumerOptions.workerIdentifier,
  renewIntervalMs: renamedConsumerOptions.renewIntervalMs,
  takerIntervalMs: renamedConsumerOptions.takerIntervalMs,
} satisfies Record<string, RenamedOption>);

/** The deprecated names of the lease coordinator, which the resolved options do not have. @internal */
export type DeprecatedLeaseCoordinatorField = 'workerId' | 'renewIntervalMillis' | 'takerIntervalMillis';

/** The `Ms` suffix on the lease store's own duration. @internal */
export const renamedLeaseStoreOptions = Object.freeze({
  tableActiveTimeoutMs: { name: 'tableActiveTimeoutMs', alias: 'tableActiveTimeoutMillis' },
} satisfies Record<string, RenamedOption>);

/** Lambda's names and units in a batch handler's error handling. @internal */
export const renamedErrorHandlingOptions = Object.freeze({
  maximumRecordAgeInSeconds: { name: 'maximumRecordAgeInSeconds', alias: 'maximumRecordAgeMs', fromAlias: secondsOfMs },
} satisfies Record<string, RenamedOption>);
