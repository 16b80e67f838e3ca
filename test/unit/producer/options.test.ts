import { describe, expect, it } from 'vitest';
import { resolveProducerOptions, producerDefaults } from '../../../src/producer/options.ts';
import { InvalidOptionError } from '../../../src/errors.ts';

describe('resolveProducerOptions', () => {
  it('applies the KPL defaults and freezes the result', () => {
    const o = resolveProducerOptions({ streamName: 'clicks' });
    expect(o.aggregationMaxSize).toBe(51200);
    expect(o.collectionMaxCount).toBe(500);
    expect(o.recordMaxBufferedTime).toBe(100);
    expect(o.recordTtl).toBe(30000);
    expect(o.rateLimit).toBe(150);
    expect(o.compression).toBe(producerDefaults.compression);
    expect(o.maxWaitingBytes).toBe(16 * 1024 * 1024);
    expect(o.maxBackpressureWait).toBe(30000);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    [{ streamName: '' }, 'options.streamName'],
    [{ streamName: 'a b' }, 'options.streamName'],
    [{ streamName: 's', aggregationMaxSize: 2_000_000 }, 'options.aggregationMaxSize must be an integer from 64 to 1048576'],
    [{ streamName: 's', collectionMaxCount: 501 }, 'options.collectionMaxCount'],
    [{ streamName: 's', recordTtl: 10 }, 'options.recordTtl'],
    [{ streamName: 's', rateLimit: 0.5 }, 'options.rateLimit'],
    [{ streamName: 's', compression: 'zstd' }, "options.compression must be one of 'none', 'deflate'"],
    [{ streamName: 's', backpressure: 'drop' }, 'options.backpressure'],
    [{ streamName: 's', maxWaitingBytes: -1 }, 'options.maxWaitingBytes must be an integer from 0'],
    [{ streamName: 's', maxBackpressureWait: 0 }, 'options.maxBackpressureWait must be an integer from 1'],
    [{ streamName: 's', aggregationEnabled: 'yes' }, 'options.aggregationEnabled must be true or false'],
    [{ streamName: 's', serializer: 42 }, 'options.serializer must be a function'],
    [{ streamName: 's', maxOutstandingBytes: 10 }, 'options.maxOutstandingBytes must be at least options.maxRecordSize'],
    [{ streamName: 's', retryBaseDelay: 500, retryMaxDelay: 100 }, 'options.retryMaxDelay must be at least options.retryBaseDelay'],
  ])('rejects %j naming the field', (options, message) => {
    let thrown: unknown;
    try {
      resolveProducerOptions(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect((thrown as InvalidOptionError).code).toBe('INVALID_OPTION');
    expect((thrown as Error).message).toContain(message);
  });
});
