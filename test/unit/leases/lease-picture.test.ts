import { describe, expect, it } from 'vitest';
import { LeasePicture } from '../../../src/leases/lease-picture.ts';
import { leases } from './helpers.ts';

describe('LeasePicture', () => {
  const [free] = leases(1);
  const owned = (owner: string, counter = 1) => ({ ...free, leaseOwner: owner, leaseCounter: counter });

  it('counts a lease passing from one worker to another as a move, taking a free one not', () => {
    const picture = new LeasePicture();
    picture.update([free], 0, false);
    picture.update([owned('a')], 1, false);
    expect(picture.movedWithin(free.leaseKey, 1, 10)).toBe(false);
    picture.update([owned('b', 2)], 3, false);
    expect(picture.movedWithin(free.leaseKey, 3, 10)).toBe(true);
    expect(picture.movedWithin(free.leaseKey, 12, 10)).toBe(true);
    expect(picture.movedWithin(free.leaseKey, 13, 10)).toBe(false);
  });

  it('forgets leases a complete read no longer has, and leases not read for too many rounds', () => {
    const picture = new LeasePicture();
    const [x, y] = leases(2);
    picture.update([x, y], 0, false);
    expect(picture.update([x], 1, true)).toEqual([y.leaseKey]);
    picture.update([y], 2, false);
    expect(picture.prune(5, 3)).toEqual([x.leaseKey]);
    expect(picture.leases().map((l) => l.leaseKey)).toEqual([y.leaseKey]);
  });
});
