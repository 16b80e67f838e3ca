import type { Clock } from '../internal/clock.ts';
import type { ScanAssignment } from './lease-scan-segments.ts';

/** One parallel-scan segment: `segment` of `totalSegments`. */
export interface ScanSegment {
  readonly totalSegments: number;
  readonly segment: number;
}

/**
 * Segments a worker stopped watching, which it keeps reading for `holdMillis` (the failover
 * bound: failoverTimeMillis + 2 × leaseScanIntervalMs). When the fleet changes size, workers see
 * the change at different scans and the assignment moves segments between them: a new watcher
 * has not followed those leases' counters, and judges them expired up to a rotation later than
 * the old watchers would. The old watchers read them on until every lease that was theirs to
 * judge has had its failover bound, so a worker that crashed just then is taken over in time.
 * A segmented watch only: a worker that scanned the whole table (fewer than
 * 2 × scannersPerSegment workers) does not go on doing so. @internal
 */
export class LingeringSegments {
  private held: Array<ScanSegment & { until: number }> = [];
  private last: ScanAssignment | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly holdMillis: number,
  ) {}

  /** Records this round's assignment; returns the segments to read besides it this round. */
  extra(assignment: ScanAssignment): ScanSegment[] {
    const now = this.clock.now();
    const last = this.last;
    this.last = assignment;
    if (last && last.totalSegments > 1) {
      for (const segment of last.watched) {
        const dropped = { totalSegments: last.totalSegments, segment };
        if (!watches(assignment, dropped)) this.held.push({ ...dropped, until: now + this.holdMillis });
      }
    }
    this.held = this.held.filter((s) => s.until > now);
    const extra: ScanSegment[] = [];
    for (const s of this.held) {
      if (covers(assignment, s) || extra.some((e) => e.totalSegments === s.totalSegments && e.segment === s.segment)) continue;
      extra.push({ totalSegments: s.totalSegments, segment: s.segment });
    }
    return extra;
  }
}

/** Whether `assignment` watches all of `s` (whatever its segment count). */
function watches(assignment: ScanAssignment, s: ScanSegment): boolean {
  return within(assignment.totalSegments, assignment.watched, s);
}

/** Whether this round's scan of `assignment` (watched and rotation) reads all of `s`. */
function covers(assignment: ScanAssignment, s: ScanSegment): boolean {
  const read = assignment.rotation === undefined ? assignment.watched : [...assignment.watched, assignment.rotation];
  return within(assignment.totalSegments, read, s);
}

/** Segment counts are powers of two, so a segment lies within one coarser segment, or spans whole finer ones. */
function within(totalSegments: number, read: readonly number[], s: ScanSegment): boolean {
  if (totalSegments === 1) return true;
  if (totalSegments <= s.totalSegments) return read.includes(Math.floor((s.segment * totalSegments) / s.totalSegments));
  const k = totalSegments / s.totalSegments;
  for (let i = s.segment * k; i < (s.segment + 1) * k; i++) if (!read.includes(i)) return false;
  return true;
}
