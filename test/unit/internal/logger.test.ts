import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { resolveLogger } from '../../../src/internal/logger.ts';
import { InvalidOptionError } from '../../../src/errors.ts';
import { resolveProducerOptions } from '../../../src/producer/options.ts';
import { resolveConsumerOptions } from '../../../src/consumer/options.ts';
import { resolvePipelineOptions } from '../../../src/pipeline/options.ts';
import { resolveFileTailOptions } from '../../../src/agents/file-tail/options.ts';
import { resolveLeaseCoordinatorOptions } from '../../../src/leases/lease-coordinator-options.ts';

function fakeConsole() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('resolveLogger', () => {
  it('uses a pino logger as it is', () => {
    const logger = pino({ level: 'silent' });
    expect(resolveLogger(logger)).toBe(logger);
    expect(resolveLogger(undefined)).toBeUndefined();
  });

  it('adapts a console: message first, then the context with child bindings; info and above only', () => {
    const target = fakeConsole();
    const logger = resolveLogger(target)!.child({ component: 'producer' }).child({ shardId: 's-1' });
    const err = new Error('boom');
    logger.warn({ err, attempt: 2 }, 'producer.shardMapFailed');
    logger.info('producer.closed');
    logger.error(err);
    logger.info('hello %s', 'world');
    logger.debug({ detail: 1 }, 'not shown');
    logger.fatal('down');
    expect(target.warn.mock.calls).toEqual([['producer.shardMapFailed', { component: 'producer', shardId: 's-1', err, attempt: 2 }]]);
    expect(target.info.mock.calls).toEqual([
      ['producer.closed', { component: 'producer', shardId: 's-1' }],
      ['hello %s', 'world', { component: 'producer', shardId: 's-1' }],
    ]);
    expect(target.error.mock.calls).toEqual([
      ['boom', { component: 'producer', shardId: 's-1', err }],
      ['down', { component: 'producer', shardId: 's-1' }],
    ]);
    expect(target.debug).not.toHaveBeenCalled();
  });

  it('adapts the real console without touching it until something is logged', () => {
    const logger = resolveLogger(console)!;
    expect(typeof logger.child).toBe('function');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      logger.child({ component: 'consumer' }).warn('consumer.test');
      expect(warn).toHaveBeenCalledWith('consumer.test', { component: 'consumer' });
    } finally {
      warn.mockRestore();
    }
  });

  it.each([[{}], [42], [console.log], [{ child: () => undefined }], [{ info: () => {}, warn: () => {}, error: () => {}, child: 'no' }]])(
    'refuses %j with InvalidOptionError naming the field',
    (value) => {
      expect(() => resolveLogger(value, 'logger')).toThrow(InvalidOptionError);
      expect(() => resolveLogger(value, 'logger')).toThrow(/^options\.logger must be a pino logger, or a console-like object/);
    },
  );
});

describe('every logger option takes console and refuses what is not a logger', () => {
  const resolvers: [string, (logger: unknown) => { logger: unknown }][] = [
    ['producer', (logger) => resolveProducerOptions({ streamName: 's', logger: logger as never })],
    ['consumer', (logger) => resolveConsumerOptions({ streamName: 's', applicationName: 'app', handler: async () => {}, logger: logger as never })],
    ['pipeline', (logger) => resolvePipelineOptions({ logger: logger as never })],
    ['file tail agent', (logger) => resolveFileTailOptions({ files: '/tmp/x.log', target: { put: async () => ({}) } as never, checkpointFile: '/tmp/c.json', logger: logger as never })],
    ['lease coordinator', (logger) => resolveLeaseCoordinatorOptions({ workerIdentifier: 'w', logger: logger as never })],
  ];

  it.each(resolvers)('%s', (_name, resolve) => {
    const resolved = resolve(console).logger as { child?: unknown };
    expect(typeof resolved.child).toBe('function');
    expect(() => resolve({ log: () => {} })).toThrow(/^options\.logger must be a pino logger/);
  });
});
