import { describe, expect, it } from 'vitest';
import { chooseSuccessors } from '../../../src/leases/lease-successors.ts';
import { spread } from './helpers.ts';

describe('chooseSuccessors', () => {
  it('hands each lease to the worker holding fewest, counting what it was already handed, ties to the smaller id', () => {
    const picture = spread({ me: 4, b: 3, c: 1, d: 2 }, 2);
    const successorOf = chooseSuccessors(picture, 'me');
    const mine = picture.filter((l) => l.leaseOwner === 'me');
    expect(mine.map((l) => successorOf(l))).toEqual(['c', 'c', 'd', 'b']);
  });

  it('leaves the leases free when no other worker is known', () => {
    const picture = spread({ me: 3 }, 1);
    const successorOf = chooseSuccessors(picture, 'me');
    expect(successorOf(picture[0])).toBeUndefined();
  });
});
