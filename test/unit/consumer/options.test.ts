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

describe('resolveConsumerOptions: what one read may cost', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };
  const MiB = 1024 * 1024;

  it('defaults to 200,000 user records per aggregate, 10,000 per batch and 16 MiB inflated per batch', () => {
    const resolved = resolveConsumerOptions(base);
    expect(resolved.maxUserRecordsPerAggregate).toBe(200_000);
    expect(resolved.maxUserRecordsPerBatch).toBe(10_000);
    expect(resolved.maxInflatedBytesPerBatch).toBe(16 * MiB);
  });

  it('raises the inflated bytes per batch with maxInflatedBytes, and refuses less: an envelope is never split', () => {
    expect(resolveConsumerOptions({ ...base, maxInflatedBytes: 64 * MiB }).maxInflatedBytesPerBatch).toBe(64 * MiB);
    expect(resolveConsumerOptions({ ...base, maxInflatedBytes: MiB }).maxInflatedBytesPerBatch).toBe(16 * MiB);
    expect(() => resolveConsumerOptions({ ...base, maxInflatedBytes: 4 * MiB, maxInflatedBytesPerBatch: 2 * MiB })).toThrow(
      'options.maxInflatedBytesPerBatch must be at least options.maxInflatedBytes (4194304): an envelope is never split across batches (got 2097152)',
    );
  });

  it('names the field of a limit that is not a positive integer', () => {
    expect(() => resolveConsumerOptions({ ...base, maxUserRecordsPerAggregate: 0 })).toThrow('options.maxUserRecordsPerAggregate must be an integer from 1 to 4294967295 (got 0)');
    expect(() => resolveConsumerOptions({ ...base, maxUserRecordsPerBatch: 2.5 })).toThrow('options.maxUserRecordsPerBatch must be an integer from 1 to 10000000 (got 2.5)');
  });
});
