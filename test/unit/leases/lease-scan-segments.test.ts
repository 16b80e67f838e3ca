import { describe, expect, it } from 'vitest';
import { assignScanSegments, ranksFirst } from '../../../src/leases/lease-scan-segments.ts';

const names = (n: number, prefix = 'worker-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function watchers(workers: string[], perSegment = 2) {
  const bySegment = new Map<number, string[]>();
  let total = 0;
  for (const w of workers) {
    const a = assignScanSegments({ workers, workerId: w, scannersPerSegment: perSegment, round: 0 });
    total = a.totalSegments;
    for (const s of a.watched) bySegment.set(s, [...(bySegment.get(s) ?? []), w]);
  }
  return { total, bySegment };
}

describe('assignScanSegments', () => {
  it('has fewer than 2 × scannersPerSegment workers scan the whole table, as before', () => {
    for (const n of [1, 2, 3]) {
      expect(assignScanSegments({ workers: names(n), workerId: 'worker-0', scannersPerSegment: 2, round: 5 })).toEqual({ totalSegments: 1, watched: [0], rotation: undefined });
    }
  });

  it('cuts the table in a power of two ≤ workers / scannersPerSegment segments, each watched by exactly that many workers', () => {
    for (const [n, segments] of [[4, 2], [7, 2], [16, 8], [50, 16], [200, 64]] as const) {
      const { total, bySegment } = watchers(names(n));
      expect(total).toBe(segments);
      expect([...bySegment.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: segments }, (_, i) => i));
      for (const ws of bySegment.values()) expect(ws).toHaveLength(2);
    }
  });

  it('turns the rotation through every segment, skipping the watched ones', () => {
    const workers = names(16);
    const seen = new Set<number>();
    for (let round = 0; round < 8; round++) {
      const a = assignScanSegments({ workers, workerId: 'worker-3', scannersPerSegment: 2, round });
      if (a.rotation !== undefined) {
        expect(a.watched).not.toContain(a.rotation);
        seen.add(a.rotation);
      }
      for (const s of a.watched) seen.add(s);
    }
    expect(seen.size).toBe(8);
  });

  it('moves few segments when a worker joins, so workers that have not seen it yet still cover the table', () => {
    const before = watchers(names(40)).bySegment;
    const after = watchers([...names(40), 'newcomer']).bySegment;
    const changed = [...before.keys()].filter((s) => before.get(s)!.join() !== after.get(s)!.join());
    expect(changed.length).toBeLessThanOrEqual(4);
    // A worker that has not seen the newcomer still watches its segments: each changed segment
    // keeps at least one of its old watchers.
    for (const s of changed) expect(after.get(s)!.filter((w) => before.get(s)!.includes(w)).length).toBeGreaterThanOrEqual(1);
  });

  it('is the same for every worker whatever order it lists the fleet in', () => {
    const workers = names(12);
    const a = assignScanSegments({ workers, workerId: 'worker-4', scannersPerSegment: 2, round: 3 });
    const b = assignScanSegments({ workers: [...workers].reverse(), workerId: 'worker-4', scannersPerSegment: 2, round: 3 });
    expect(b).toEqual(a);
  });
});

describe('ranksFirst', () => {
  it('names exactly one worker per key, a different one from key to key, and the same whatever the order of the list', () => {
    const workers = names(20);
    const chosen = new Set<string>();
    for (let period = 0; period < 200; period++) {
      const first = workers.filter((w) => ranksFirst(workers, w, `shardSync:${period}`));
      expect(first).toHaveLength(1);
      expect(workers.filter((w) => ranksFirst([...workers].reverse(), w, `shardSync:${period}`))).toEqual(first);
      chosen.add(first[0]);
    }
    // 200 periods over 20 workers: each one's turn comes round.
    expect(chosen.size).toBe(20);
  });

  it('moves the turn of a key only when the worker first for it leaves', () => {
    const workers = names(10);
    for (let period = 0; period < 50; period++) {
      const [first] = workers.filter((w) => ranksFirst(workers, w, `p:${period}`));
      const other = workers.find((w) => w !== first)!;
      expect(ranksFirst(workers.filter((w) => w !== other), first, `p:${period}`)).toBe(true);
      const without = workers.filter((w) => w !== first);
      expect(without.filter((w) => ranksFirst(without, w, `p:${period}`))).toHaveLength(1);
    }
  });
});
