import { describe, expect, it } from 'vitest';
import { deliverySink } from '../../../../src/stages/sink/delivery-sink.ts';
import { deliverySinkDefaults, resolveDeliverySinkOptions, type DeliverySinkOptions } from '../../../../src/stages/sink/options.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';
import { memoryDestination } from './fakes.ts';

describe('resolveDeliverySinkOptions', () => {
  it('applies Firehose-like defaults and freezes the result', () => {
    const resolved = resolveDeliverySinkOptions();
    expect(resolved).toMatchObject({
      name: 'sink',
      prefix: '',
      errorPrefix: 'errors/',
      bufferSizeBytes: 5 * 1024 * 1024,
      bufferIntervalMs: 300_000,
      compression: 'none',
      retryDurationMs: 300_000,
    });
    expect(typeof resolved.destination.write).toBe('function');
    expect(resolved.serialize({ value: { a: 1 }, partitionKey: 'k' })).toBe('{"a":1}');
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(deliverySinkDefaults.directory).toBe('./sink-output');
  });

  it.each<[string, DeliverySinkOptions]>([
    ['name', { name: 'no spaces' }],
    ['destination', { destination: {} as never }],
    ['directory', { destination: memoryDestination(), directory: '/tmp/x' }],
    ['directory', { directory: '' }],
    ['prefix', { prefix: '/abs/' }],
    ['prefix', { prefix: 'a/../b/' }],
    ['errorPrefix', { errorPrefix: 3 as never }],
    ['errorPrefix', { errorPrefix: '' }],
    ['errorPrefix', { prefix: 'same/', errorPrefix: 'same/' }],
    ['bufferSizeBytes', { bufferSizeBytes: 0 }],
    ['bufferSizeBytes', { bufferSizeBytes: 129 * 1024 * 1024 }],
    ['bufferSizeBytes', { bufferSizeBytes: 1.5 }],
    ['bufferIntervalMs', { bufferIntervalMs: 99 }],
    ['bufferIntervalMs', { bufferIntervalMs: 900_001 }],
    ['compression', { compression: 'zstd' as never }],
    ['retryDurationMs', { retryDurationMs: -1 }],
    ['retryDurationMs', { retryDurationMs: 7_200_001 }],
    ['serialize', { serialize: 'json' as never }],
  ])('rejects a bad %s', (field, options) => {
    const attempt = () => resolveDeliverySinkOptions(options);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(`options.${field} `);
  });

  it('is checked when the stage is defined', () => {
    expect(() => deliverySink({ bufferIntervalMs: 0 })).toThrow('options.bufferIntervalMs must be an integer from 100 to 900000 (got 0)');
    expect(deliverySink({ name: 'archive', destination: memoryDestination() }).name).toBe('archive');
  });
});
