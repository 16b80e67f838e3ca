/** Which parts of the lease table one worker scans in one taker round. */
export interface ScanAssignment {
  /** DynamoDB `TotalSegments`; 1 means a plain full Scan. */
  readonly totalSegments: number;
  /** Segments this worker watches every round: it judges their leases' expiry and takes their free ones. */
  readonly watched: readonly number[];
  /** One more segment, in turn, to keep this worker's picture of the rest of the table fresh; none when it is watched anyway. */
  readonly rotation: number | undefined;
}

/** What {@link assignScanSegments} decides from. */
export interface ScanAssignmentInput {
  /** Live workers as this worker sees them, itself included; order does not matter. */
  readonly workers: readonly string[];
  readonly workerId: string;
  /** Workers watching each segment (`scannersPerSegment`). */
  readonly scannersPerSegment: number;
  /** This worker's taker round number, which turns the rotation. */
  readonly round: number;
}

/**
 * Shares the lease table among the workers so that the fleet reads it about
 * `2 × scannersPerSegment` times per round however many workers there are, instead of once per
 * worker. The table is cut into `totalSegments` = the largest power of two ≤ workers /
 * scannersPerSegment (a power of two, so it changes only when the fleet doubles or halves),
 * and each segment is watched by the `scannersPerSegment` workers that rank highest for it by
 * rendezvous hashing: stable while the fleet is, and a worker that joins or leaves moves only
 * the segments it ranks high in. Two workers whose pictures of the fleet differ (one has not
 * seen a newcomer yet) therefore disagree on few segments, and a segment watched by two still
 * has a watcher when one of them dies. Fewer than 2 × scannersPerSegment workers scan the
 * whole table every round, as before.
 *
 * Pure and deterministic: every worker computes every worker's assignment alike.
 *
 * @example
 * assignScanSegments({ workers: ['a', 'b', 'c', 'd', 'e'], workerId: 'a', scannersPerSegment: 2, round: 7 });
 * // { totalSegments: 2, watched: [1], rotation: 0 }   (which segments depends on the hash)
 */
export function assignScanSegments(input: ScanAssignmentInput): ScanAssignment {
  const workers = [...new Set([...input.workers, input.workerId])];
  const perSegment = Math.max(1, input.scannersPerSegment);
  const totalSegments = 2 ** Math.floor(Math.log2(Math.max(1, workers.length / perSegment)));
  if (totalSegments === 1) return { totalSegments, watched: [0], rotation: undefined };
  const watched: number[] = [];
  for (let segment = 0; segment < totalSegments; segment++) {
    const mine = weight(input.workerId, segment);
    // Ties (a hash collision) go to the smaller id, as every worker sees them.
    const above = workers.filter((w) => w !== input.workerId && (weight(w, segment) > mine || (weight(w, segment) === mine && w < input.workerId))).length;
    if (above < perSegment) watched.push(segment);
  }
  const turn = ((input.round % totalSegments) + totalSegments) % totalSegments;
  return { totalSegments, watched, rotation: watched.includes(turn) ? undefined : turn };
}

/** Rendezvous weight of a worker for a segment: FNV-1a of both, finished with a murmur3 mix. */
function weight(workerId: string, segment: number | string): number {
  let h = 0x811c9dc5;
  const text = `${workerId}\u0000${segment}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Whether `workerId` ranks first among `workers` (itself included) by rendezvous hashing on
 * `key`: the one worker of the fleet to run a once-per-fleet task for that key (a period
 * number), chosen anew for each key, so no worker is special for long.
 */
export function ranksFirst(workers: readonly string[], workerId: string, key: string): boolean {
  const mine = weight(workerId, key);
  return workers.every((w) => w === workerId || weight(w, key) < mine || (weight(w, key) === mine && workerId < w));
}
