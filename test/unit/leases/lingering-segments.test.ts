import { describe, expect, it } from 'vitest';
import { LingeringSegments } from '../../../src/leases/lingering-segments.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

const HOLD = 1800;

describe('LingeringSegments', () => {
  it('keeps a segment read for the hold time after the assignment stopped watching it, then drops it', () => {
    const clock = new SimulatedClock();
    const lingering = new LingeringSegments(clock, HOLD);
    expect(lingering.extra({ totalSegments: 8, watched: [5, 6], rotation: 1 })).toEqual([]);
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 8, watched: [6], rotation: 2 })).toEqual([{ totalSegments: 8, segment: 5 }]);
    clock.advance(HOLD - 400);
    expect(lingering.extra({ totalSegments: 8, watched: [6], rotation: 3 })).toEqual([{ totalSegments: 8, segment: 5 }]);
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 8, watched: [6], rotation: 4 })).toEqual([]);
  });

  it('does not read a held segment again in a round whose scan covers it, whatever the segment count', () => {
    const clock = new SimulatedClock();
    const lingering = new LingeringSegments(clock, HOLD);
    lingering.extra({ totalSegments: 8, watched: [4, 5], rotation: undefined });
    // 4 segments now: segment 2 of 4 is segments 4 and 5 of 8, read in this round's rotation.
    expect(lingering.extra({ totalSegments: 4, watched: [0], rotation: 2 })).toEqual([]);
    // A later round's rotation is elsewhere: both are read again, at 8 segments.
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 4, watched: [0], rotation: 3 })).toEqual([
      { totalSegments: 8, segment: 4 },
      { totalSegments: 8, segment: 5 },
    ]);
    // 16 segments: segment 5 of 8 is 10 and 11 of 16, and only both together cover it (and 0 of 4, watched before, is held now).
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 16, watched: [10], rotation: 11 })).toEqual([
      { totalSegments: 8, segment: 4 },
      { totalSegments: 4, segment: 0 },
    ]);
  });

  it('keeps nothing when the assignment still watches the segment, in coarser or finer cuts', () => {
    const clock = new SimulatedClock();
    const lingering = new LingeringSegments(clock, HOLD);
    lingering.extra({ totalSegments: 8, watched: [5], rotation: undefined });
    expect(lingering.extra({ totalSegments: 4, watched: [2], rotation: 0 })).toEqual([]);
    expect(lingering.extra({ totalSegments: 8, watched: [4, 5], rotation: 0 })).toEqual([]);
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 8, watched: [0], rotation: 1 })).toEqual([{ totalSegments: 8, segment: 4 }, { totalSegments: 8, segment: 5 }]);
  });

  it('holds nothing after a whole-table scan, and nothing while the table is read whole', () => {
    const clock = new SimulatedClock();
    const lingering = new LingeringSegments(clock, HOLD);
    lingering.extra({ totalSegments: 1, watched: [0], rotation: undefined });
    expect(lingering.extra({ totalSegments: 8, watched: [5], rotation: 0 })).toEqual([]);
    clock.advance(400);
    expect(lingering.extra({ totalSegments: 1, watched: [0], rotation: undefined })).toEqual([]);
    clock.advance(400);
    // The held 5 of 8 is read whole-table while it lasts, so nothing extra after either.
    expect(lingering.extra({ totalSegments: 2, watched: [1], rotation: 0 })).toEqual([]);
  });
});
