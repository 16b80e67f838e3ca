import { describe, expect, it } from 'vitest';
import { LeaseTracker } from '../../../src/leases/lease-tracker.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { leases } from './helpers.ts';

describe('LeaseTracker', () => {
  const [lease] = leases(1, ['other']);

  it('expires a lease whose counter stood still for longer than the failover time', () => {
    const clock = new SimulatedClock(5_000);
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([lease]);
    clock.advance(1000);
    expect(tracker.isExpired(lease)).toBe(false);
    clock.advance(1);
    expect(tracker.isExpired(lease)).toBe(true);
    expect(tracker.millisSinceChange(lease.leaseKey)).toBe(1001);
  });

  it('restarts the clock when the counter changes', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([lease]);
    clock.advance(900);
    const renewed = { ...lease, leaseCounter: lease.leaseCounter + 1 };
    tracker.observe([renewed]);
    clock.advance(900);
    expect(tracker.isExpired(renewed)).toBe(false);
    tracker.observe([renewed]);
    clock.advance(101);
    expect(tracker.isExpired(renewed)).toBe(true);
  });

  it('starts the clock at first sight: a joining worker cannot know when the owner last renewed', () => {
    const clock = new SimulatedClock(1_000_000);
    const tracker = new LeaseTracker(clock, 1000);
    expect(tracker.isExpired(lease)).toBe(false);
    tracker.observe([lease]);
    expect(tracker.isExpired(lease)).toBe(false);
  });

  it('does not judge a lease by a counter it has not recorded', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([lease]);
    clock.advance(5000);
    expect(tracker.isExpired({ ...lease, leaseCounter: 7 })).toBe(false);
  });

  it('counts a counter that went back (lease deleted and created again) as a change', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([{ ...lease, leaseCounter: 9 }]);
    clock.advance(5000);
    tracker.observe([{ ...lease, leaseCounter: 0 }]);
    expect(tracker.isExpired({ ...lease, leaseCounter: 0 })).toBe(false);
  });

  it('forgets leases missing from a scan', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([lease]);
    clock.advance(2000);
    tracker.observe([]);
    expect(tracker.millisSinceChange(lease.leaseKey)).toBeUndefined();
    tracker.observe([lease]);
    expect(tracker.isExpired(lease)).toBe(false);
  });

  it('records this worker’s own writes', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.observe([lease]);
    clock.advance(999);
    tracker.record({ ...lease, leaseCounter: lease.leaseCounter + 1 });
    clock.advance(999);
    expect(tracker.isExpired({ ...lease, leaseCounter: lease.leaseCounter + 1 })).toBe(false);
  });

  it('judges a lease read only now and then by its observations, not by the time since the last one', () => {
    const clock = new SimulatedClock();
    const tracker = new LeaseTracker(clock, 1000);
    tracker.record(lease);
    clock.advance(5000);
    // Not read for 5 s: that is no evidence the counter stood still.
    expect(tracker.isExpired(lease)).toBe(true);
    expect(tracker.expiredWhenLastSeen(lease)).toBe(false);
    tracker.record(lease); // read again, same counter, 5 s after the first read
    expect(tracker.expiredWhenLastSeen(lease)).toBe(true);
    tracker.record({ ...lease, leaseCounter: lease.leaseCounter + 1 });
    expect(tracker.expiredWhenLastSeen({ ...lease, leaseCounter: lease.leaseCounter + 1 })).toBe(false);
    tracker.forget(lease.leaseKey);
    expect(tracker.millisSinceChange(lease.leaseKey)).toBeUndefined();
  });
});
