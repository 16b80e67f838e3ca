import { describe, expect, it, vi } from 'vitest';
import { CauseLog } from '../../../src/internal/cause-log.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import type { Logger } from '../../../src/internal/logger.ts';

describe('CauseLog', () => {
  it('warns once per distinct cause, counts repeats, and warns again with the count after the interval', () => {
    const warn = vi.fn();
    const clock = new SimulatedClock(0);
    const log = new CauseLog({ warn } as unknown as Logger, clock, 60_000);
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const throttled = Object.assign(new Error('Rate exceeded'), { code: 'THROTTLED' });

    expect(log.warn('producer.recordsExpired', refused, { attempts: 1 })).toBe(true);
    for (let i = 0; i < 99; i++) expect(log.warn('producer.recordsExpired', new Error(refused.message))).toBe(false);
    expect(log.warn('producer.recordsExpired', throttled)).toBe(true);
    // the same cause under another message is another warning
    expect(log.warn('producer.shardMapFailed', refused)).toBe(true);
    expect(warn.mock.calls).toEqual([
      [{ attempts: 1, err: refused }, 'producer.recordsExpired'],
      [{ err: throttled }, 'producer.recordsExpired'],
      [{ err: refused }, 'producer.shardMapFailed'],
    ]);

    clock.advance(59_999);
    expect(log.warn('producer.recordsExpired', refused)).toBe(false);
    clock.advance(1);
    expect(log.warn('producer.recordsExpired', refused)).toBe(true);
    expect(warn.mock.calls.at(-1)).toEqual([{ err: refused, repeatsSinceLastWarning: 100 }, 'producer.recordsExpired']);
  });

  it('remembers a bounded number of causes, forgetting the oldest', () => {
    const warn = vi.fn();
    const log = new CauseLog({ warn } as unknown as Logger, new SimulatedClock(0), 60_000, 2);
    log.warn('m', new Error('a'));
    log.warn('m', new Error('b'));
    log.warn('m', new Error('c'));
    expect(log.warn('m', new Error('a'))).toBe(true);
    expect(log.warn('m', new Error('c'))).toBe(false);
  });
});
