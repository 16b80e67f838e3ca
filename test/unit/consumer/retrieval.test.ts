import { describe, expect, it } from 'vitest';
import { resolveConsumerOptions } from '../../../src/consumer/options.ts';
import { fanOutDefaults } from '../../../src/consumer/retrieval.ts';

describe('resolveConsumerOptions: retrieval', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };
  const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks/consumer/counter:1700000000';

  it("defaults to polling, and fan-out's consumer name to the application name", () => {
    expect(resolveConsumerOptions(base).retrieval).toEqual({ type: 'polling' });
    expect(resolveConsumerOptions({ ...base, retrieval: { fanOut: {} } }).retrieval).toEqual({
      type: 'fanOut',
      consumerName: 'click-counter',
      consumerArn: undefined,
      timings: fanOutDefaults,
    });
    expect(resolveConsumerOptions({ ...base, retrieval: { fanOut: { consumerArn: arn } } }).retrieval).toMatchObject({ consumerArn: arn });
    expect(fanOutDefaults.maxBufferedEvents).toBe(10);
  });

  it('names the field and what it accepts', () => {
    expect(() => resolveConsumerOptions({ ...base, retrieval: 'fanout' as never })).toThrow("options.retrieval must be 'polling' or { fanOut: { consumerName?, consumerArn? } }");
    expect(() => resolveConsumerOptions({ ...base, retrieval: { fanOut: { consumerName: 'a b' } } })).toThrow('options.retrieval.fanOut.consumerName must be 1–128 characters');
    expect(() => resolveConsumerOptions({ ...base, retrieval: { fanOut: { consumerArn: 'counter' } } })).toThrow('options.retrieval.fanOut.consumerArn must be a stream consumer ARN');
    expect(() => resolveConsumerOptions({ ...base, retrieval: { fanOut: { consumerArn: arn.replace('/clicks/', '/views/') } } })).toThrow(
      'options.retrieval.fanOut.consumerArn must be a consumer of options.streamName (clicks)',
    );
    expect(() => resolveConsumerOptions({ ...base, retrieval: { fanOut: { consumerArn: arn, consumerName: 'counter' } } })).toThrow('cannot both be given');
    expect(() => resolveConsumerOptions({ ...base, applicationName: 'a'.repeat(200), retrieval: { fanOut: {} } })).toThrow('options.retrieval.fanOut.consumerName must be given');
  });
});
