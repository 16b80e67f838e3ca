/** A fleet size, with how long its scenarios are watched (the large one costs minutes of CPU per scenario). */
export interface Scale {
  readonly name: string;
  readonly shards: number;
  readonly workers: number;
  readonly observeMs: number;
  readonly settleMaxMs: number;
}

export const scales: readonly Scale[] = [
  // The real fleet tests' size.
  { name: 'small', shards: 6, workers: 2, observeMs: 180_000, settleMaxMs: 300_000 },
  { name: 'medium', shards: 1000, workers: 50, observeMs: 120_000, settleMaxMs: 240_000 },
  { name: 'large', shards: 10_000, workers: 200, observeMs: 60_000, settleMaxMs: 120_000 },
];
