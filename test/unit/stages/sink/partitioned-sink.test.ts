import { describe, expect, it } from 'vitest';
import { deliverySink } from '../../../../src/stages/sink/delivery-sink.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';
import { controlledDestination, linesOf, memoryDestination, settle } from './fakes.ts';

const START = Date.UTC(2026, 0, 1);
let sequence = 100;
const click = (page: unknown, extra: object = {}): StreamItem => ({
  value: { page, ...extra },
  partitionKey: 'pk',
  eventTime: START,
  source: { shardId: 'shardId-000000000001', sequenceNumber: String(sequence++), subSequenceNumber: 0 },
});

describe('deliverySink with partitionBy', () => {
  it('buffers each partition on its own and releases a batch once every partition holding its records is written', async () => {
    const destination = controlledDestination();
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, partitionBy: 'page={page}/', bufferSizeBytes: 40, bufferIntervalMs: 1000 }), { clock });
    // `{"page":"a"}` is 12 bytes + newline: three fill a 40-byte buffer.
    const first = await h.process([click('a'), click('b'), click('a')]);
    await h.process([click('a')]); // partition a reaches 39 bytes, b stays at 13
    await h.process([click('a')]); // a would pass 40: sealed with its first three records
    const a = await destination.next();
    expect(a.key).toMatch(/^page=a\/sink-shardId-000000000001-100-0-103-0$/);
    expect(linesOf(a.body)).toHaveLength(3);
    a.resolve();
    await settle();
    expect(h.openHolds()).toBe(2); // the second batch is done; the first also waits for partition b
    clock.advance(1000);
    const b = await destination.next();
    expect(b.key).toBe('page=b/sink-shardId-000000000001-101-0-101-0');
    b.resolve();
    const last = await destination.next(); // partition a's last record, sealed by the same interval
    last.resolve();
    await settle();
    expect(first.holds).toHaveLength(1);
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toEqual([]);
    await h.close();
  });

  it('puts records whose partition cannot be computed under the error prefix with the reason, and delivers the rest', async () => {
    const destination = memoryDestination();
    const h = stageHarness(deliverySink({ destination, partitionBy: 'page={page}/', errorPrefix: 'failed/' }));
    await h.process([click('home'), click(undefined), click('a/b')]);
    await h.flush();
    const keys = [...destination.objects.keys()].sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^failed\/partitioning-failed\/2026\/01\/01\/00\/sink-shardId-000000000001-\d+-0-\d+-0$/);
    expect(keys[1]).toMatch(/^page=home\//);
    const errors = linesOf(destination.objects.get(keys[0])).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(errors.map((e) => [e.errorCode, e.errorMessage])).toEqual([
      ['DynamicPartitioning.MetadataExtractionFailed', 'the record has no field page'],
      ['DynamicPartitioning.MetadataExtractionFailed', expect.stringMatching(/field page is "a\/b", which cannot be part of a key/)],
    ]);
    expect(JSON.parse(Buffer.from(errors[1].rawData as string, 'base64').toString())).toEqual({ page: 'a/b' });
    expect(errors[0]).toMatchObject({ shardId: 'shardId-000000000001', attemptsMade: 0 });
    expect(h.openHolds()).toBe(0);
    await h.close();
  });

  it('closes the oldest buffer when a new partition would pass maxOpenPartitions', async () => {
    const destination = memoryDestination();
    const h = stageHarness(deliverySink({ destination, partitionBy: 'p={page}/', maxOpenPartitions: 2 }));
    await h.process([click('a'), click('b')]);
    await settle();
    expect(destination.objects.size).toBe(0);
    await h.process([click('c')]);
    await settle();
    expect([...destination.objects.keys()].map((k) => k.split('/')[0])).toEqual(['p=a']);
    await h.flush();
    expect(destination.objects.size).toBe(3);
    await h.close();
  });

  it('names an object by its shard and sequence range, so the same records delivered again overwrite it', async () => {
    const destination = memoryDestination();
    const items = [click('x'), click('y')];
    for (let delivery = 0; delivery < 2; delivery++) {
      const h = stageHarness(deliverySink({ destination, compression: 'gzip' }));
      await h.process(items);
      await h.flush();
      await h.close();
    }
    const first = items[0].source!.sequenceNumber;
    expect([...destination.objects.keys()]).toEqual([`2026/01/01/00/sink-shardId-000000000001-${first}-0-${Number(first) + 1}-0.gz`]);
    expect(destination.attempts).toHaveLength(2);
  });
});

describe("deliverySink with format 'parquet'", () => {
  it('puts records that do not fit the schema under format-conversion-failed with the reason, the rest in the Parquet object', async () => {
    const destination = memoryDestination();
    const h = stageHarness(deliverySink({ destination, format: 'parquet', parquetSchema: [{ name: 'page', type: 'STRING' }, { name: 'n', type: 'INT32' }] }));
    await h.process([click('a', { n: 1 }), click('b', { n: 'two' }), click('c', { n: 3 })]);
    await h.flush();
    const keys = [...destination.objects.keys()].sort();
    expect(keys[0]).toMatch(/^2026\/01\/01\/00\/sink-shardId-000000000001-\d+-0-\d+-0\.parquet$/);
    expect(keys[1]).toMatch(/^errors\/format-conversion-failed\/2026\/01\/01\/00\//);
    const body = destination.objects.get(keys[0])!;
    expect(Buffer.from(body.subarray(0, 4)).toString()).toBe('PAR1');
    const [error] = linesOf(destination.objects.get(keys[1])).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(error).toMatchObject({ errorCode: 'DataFormatConversion.MalformedData', errorMessage: 'field n is "two", which does not fit column type INT32' });
    expect(h.openHolds()).toBe(0);
    await h.close();
  });

  it('refuses options that do not go together', () => {
    expect(() => deliverySink({ format: 'parquet', compression: 'gzip' })).toThrow(/compression must be 'none' with format 'parquet'/);
    expect(() => deliverySink({ parquetSchema: [{ name: 'a', type: 'STRING' }] })).toThrow(/parquetSchema applies only with format 'parquet'/);
    const records = { accepts: 'records' as const, write: async () => {} };
    expect(() => deliverySink({ destination: records })).toThrow(/errorDestination must be an object destination/);
    expect(() => deliverySink({ destination: records, errorDestination: memoryDestination(), format: 'parquet' })).toThrow(/format does not apply to a destination that loads records/);
    expect(() => deliverySink({ destination: records, errorDestination: memoryDestination(), partitionBy: 'a={a}/' })).toThrow(/partitionBy does not apply/);
    expect(() => deliverySink({ partitionBy: 'a={a' })).toThrow(/partitionBy has an unmatched/);
  });
});
