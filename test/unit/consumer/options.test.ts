import { describe, expect, it } from 'vitest';
import { consumerDefaults, resolveConsumerOptions } from '../../../src/consumer/options.ts';

describe('resolveConsumerOptions: the KCL 3.x graceful hand-off timeout', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };

  it('defaults to the KCL 3.x 30 s and accepts 0 (hand-offs are not waited for)', () => {
    expect(consumerDefaults.gracefulLeaseHandoffTimeoutMillis).toBe(30_000);
    expect(resolveConsumerOptions(base).gracefulLeaseHandoffTimeoutMillis).toBe(30_000);
    expect(resolveConsumerOptions({ ...base, gracefulLeaseHandoffTimeoutMillis: 0 }).gracefulLeaseHandoffTimeoutMillis).toBe(0);
  });

  it('names the field when it is not a whole number of milliseconds', () => {
    expect(() => resolveConsumerOptions({ ...base, gracefulLeaseHandoffTimeoutMillis: 1.5 })).toThrow(
      'options.gracefulLeaseHandoffTimeoutMillis must be an integer from 0 to 3600000 (got 1.5)',
    );
  });
});
