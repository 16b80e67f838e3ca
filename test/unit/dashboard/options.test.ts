import { describe, expect, it } from 'vitest';
import { resolveDashboardOptions } from '../../../src/dashboard/options.ts';
import { InvalidOptionError } from '../../../src/errors.ts';

const base = { streamName: 'clicks', applicationName: 'click-counter' };

describe('dashboard options', () => {
  it('resolves the defaults', () => {
    expect(resolveDashboardOptions(base)).toMatchObject({ leaseTableName: 'click-counter', consumers: [], port: 0, host: '127.0.0.1', intervalMs: 1000, historyMs: 600_000, readTip: true, listShardsIntervalMs: 10_000, lagIntervalMs: 10_000 });
  });

  it.each([
    [{ streamName: '' }, 'options.streamName must be a non-empty string'],
    [{ applicationName: undefined }, 'options.applicationName must be a non-empty string'],
    [{ applicationName: 'ab' }, 'options.applicationName must be 3–255 characters'],
    [{ leaseTableName: 'bad name' }, 'options.leaseTableName must be 3–255 characters'],
    [{ port: 70000 }, 'options.port must be an integer from 0 to 65535'],
    [{ intervalMs: 10 }, 'options.intervalMs must be an integer ≥ 100'],
    [{ historyMs: 0 }, 'options.historyMs must be a positive integer'],
    [{ readTip: 'yes' }, 'options.readTip must be true or false'],
    [{ consumers: [{}] }, 'options.consumers[0] must be a Consumer from createConsumer()'],
    [{ producer: {} }, 'options.producer must be a Producer from createProducer()'],
  ])('rejects %o naming the option', (bad, message) => {
    const run = () => resolveDashboardOptions({ ...base, ...(bad as object) } as never);
    expect(run).toThrow(InvalidOptionError);
    expect(run).toThrow(message);
  });
});
