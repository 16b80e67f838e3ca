import { describe, expect, it } from 'vitest';
import { actualOwner, HandoffTracker } from '../../../src/leases/lease-handoff.ts';
import type { Lease } from '../../../src/leases/lease.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { leases } from './helpers.ts';

describe('KCL 3.x graceful hand-offs', () => {
  const [owned] = leases(1, ['kcl-new']);
  const handingOver: Lease = { ...owned, checkpointOwner: 'kcl-old' };

  it('names the checkpoint owner as the actual owner during a hand-off, the lease owner otherwise', () => {
    expect(actualOwner(handingOver)).toBe('kcl-old');
    expect(actualOwner(owned)).toBe('kcl-new');
    expect(actualOwner(leases(1)[0])).toBeUndefined();
  });

  it('blocks a lease in another worker’s hand-off for the timeout from when it was first seen', () => {
    const clock = new SimulatedClock(50_000);
    const handoffs = new HandoffTracker(clock, 30_000, 'me');
    handoffs.observe([handingOver]);
    clock.advance(29_999);
    handoffs.observe([handingOver]);
    expect(handoffs.isBlocked(handingOver)).toBe(true);
    clock.advance(1);
    expect(handoffs.isBlocked(handingOver)).toBe(false);
  });

  it('blocks a hand-off not yet observed, and restarts the clock when the checkpoint owner changes', () => {
    const clock = new SimulatedClock();
    const handoffs = new HandoffTracker(clock, 1000, 'me');
    expect(handoffs.isBlocked(handingOver)).toBe(true);
    handoffs.observe([handingOver]);
    clock.advance(900);
    const another = { ...handingOver, checkpointOwner: 'kcl-older' };
    handoffs.observe([another]);
    clock.advance(900);
    expect(handoffs.isBlocked(another)).toBe(true);
    clock.advance(100);
    expect(handoffs.isBlocked(another)).toBe(false);
  });

  it('forgets a hand-off that ended: a new one starts a new clock', () => {
    const clock = new SimulatedClock();
    const handoffs = new HandoffTracker(clock, 1000, 'me');
    handoffs.observe([handingOver]);
    clock.advance(800);
    handoffs.observe([owned]);
    clock.advance(800);
    handoffs.observe([handingOver]);
    expect(handoffs.isBlocked(handingOver)).toBe(true);
  });

  it('never blocks a lease without checkpointOwner, one this worker is handing off, or any with a timeout of 0', () => {
    const clock = new SimulatedClock();
    expect(new HandoffTracker(clock, 1000, 'me').isBlocked(owned)).toBe(false);
    expect(new HandoffTracker(clock, 1000, 'kcl-old').isBlocked(handingOver)).toBe(false);
    expect(new HandoffTracker(clock, 0, 'me').isBlocked(handingOver)).toBe(false);
  });
});
