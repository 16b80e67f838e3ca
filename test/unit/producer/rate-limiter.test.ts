import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from '../../../src/producer/rate-limiter.ts';

describe('ShardRateLimiter', () => {
  it('lets a second of budget through at once, then spaces requests to the rate', () => {
    const limiter = new ShardRateLimiter(1000, 100, 0);
    expect(limiter.reserve(1000, 10, 0)).toBe(0);
    expect(limiter.reserve(500, 10, 0)).toBe(0);
    // 500 bytes of debt at 1000 B/s: half a second
    expect(limiter.reserve(10, 1, 0)).toBe(500);
  });

  it('enforces the records limit independently of bytes', () => {
    const limiter = new ShardRateLimiter(1_000_000, 100, 0);
    expect(limiter.reserve(1, 150, 0)).toBe(0);
    expect(limiter.reserve(1, 1, 0)).toBe(500);
    expect(limiter.reserve(1, 1, 1000)).toBe(0);
  });

  it('refills no further than one second of budget', () => {
    const limiter = new ShardRateLimiter(1000, 1000, 0);
    expect(limiter.reserve(1000, 1, 60_000)).toBe(0);
    expect(limiter.reserve(1000, 1, 60_000)).toBe(0);
    expect(limiter.reserve(1, 1, 60_000)).toBe(1000);
  });
});
