import type { RenamedOption } from '../internal/renamed-option.ts';

/** Two initial positions are one setting when equal, or the same AT_TIMESTAMP instant. */
function samePosition(a: unknown, b: unknown): boolean {
  const time = (p: unknown) => {
    const timestamp = (p as { timestamp?: unknown } | null)?.timestamp;
    return timestamp instanceof Date ? timestamp.getTime() : undefined;
  };
  return a === b || (time(a) !== undefined && time(a) === time(b));
}

/**
 * Options of the consumer renamed to the KCL's names (`ConfigsBuilder`, `RetrievalConfig`,
 * `PollingConfig`); the old names are accepted until the next release.
 * @internal
 */
export const renamedConsumerOptions = Object.freeze({
  workerIdentifier: { name: 'workerIdentifier', alias: 'workerId' },
  initialPositionInStreamExtended: { name: 'initialPositionInStreamExtended', alias: 'initialPosition', equals: samePosition },
  idleTimeBetweenReadsInMillis: { name: 'idleTimeBetweenReadsInMillis', alias: 'idleTimeBetweenReadsMillis' },
} satisfies Record<string, RenamedOption>);

/** The deprecated names, which the resolved options do not have. @internal */
export type DeprecatedConsumerField = 'workerId' | 'initialPosition' | 'idleTimeBetweenReadsMillis';
