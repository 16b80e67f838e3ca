import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import type { KinesisRecord, RecordsPage, StartPosition } from '../../../src/kinesis/kinesis-api.ts';
import { classifyKinesisError } from '../../../src/kinesis/kinesis-errors.ts';
import { ShardReader } from '../../../src/kinesis/shard-reader.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { fakeKinesisApi } from './fake-kinesis.ts';

type Call = { name: 'getShardIterator'; position: StartPosition } | { name: 'getRecords'; shardIterator: string; limit: number };
/** A shard iterator for getShardIterator, a page for getRecords. */
type Step = () => string | RecordsPage;

/** A fake of the Kinesis boundary: iterators and pages come from a script, calls are recorded. */
function fakeKinesis(script: Step[]) {
  const calls: Call[] = [];
  const next = (call: Call) => {
    calls.push(call);
    const step = script.shift();
    if (!step) throw new Error(`unexpected ${call.name}`);
    return step();
  };
  const kinesis = fakeKinesisApi({
    getShardIterator: async (_streamName, _shardId, position) => next({ name: 'getShardIterator', position }) as string,
    getRecords: async (shardIterator, limit) => next({ name: 'getRecords', shardIterator, limit }) as RecordsPage,
  });
  return { kinesis, calls };
}

const iterator = (id: string) => () => id;
const page = (records: KinesisRecord[], nextShardIterator: string | undefined, millisBehindLatest?: number) => (): RecordsPage => ({ records, nextShardIterator, millisBehindLatest });
/** What the boundary throws for an error Kinesis answered with. */
const failure = (name: string) => (): never => {
  throw classifyKinesisError(Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } }), 'GetRecords');
};

async function drive<T>(clock: SimulatedClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  result.catch(() => {}); // the caller asserts on it once driven
  for (let i = 0; i < 1000 && !done; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(50);
  }
  return result;
}

const options = { maxRecords: 100, minTimeBetweenReadsMs: 200, idleTimeBetweenReadsMs: 1000, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 };
const record = (seq: string): KinesisRecord => ({ SequenceNumber: seq, Data: new Uint8Array(), PartitionKey: 'k' });

describe('ShardReader', () => {
  it('gets a new iterator right after the last record when the iterator expired', async () => {
    const clock = new SimulatedClock();
    const { kinesis, calls } = fakeKinesis([
      iterator('it-1'),
      page([record('100'), record('200')], 'it-2', 5),
      failure('ExpiredIteratorException'),
      iterator('it-3'),
      page([record('300')], 'it-4'),
    ]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, options);
    await reader.start({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' });
    const signal = new AbortController().signal;
    const first = await drive(clock, reader.read(signal));
    expect(first.records.map((r) => r.SequenceNumber)).toEqual(['100', '200']);
    expect(first.millisBehindLatest).toBe(5);
    const second = await drive(clock, reader.read(signal));
    expect(second.records.map((r) => r.SequenceNumber)).toEqual(['300']);
    expect(calls[3]).toEqual({ name: 'getShardIterator', position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '200' } });
  });

  it('backs off on throttling and retries with the same iterator', async () => {
    const clock = new SimulatedClock();
    const { kinesis, calls } = fakeKinesis([
      iterator('it-1'),
      failure('ProvisionedThroughputExceededException'),
      failure('ProvisionedThroughputExceededException'),
      page([record('1')], 'it-2'),
    ]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    const started = clock.now();
    const read = await drive(clock, reader.read(new AbortController().signal));
    expect(read.records).toHaveLength(1);
    expect(calls.slice(1).map((c) => (c.name === 'getRecords' ? c.shardIterator : c.name))).toEqual(['it-1', 'it-1', 'it-1']);
    expect(clock.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('gives up after maxAttempts failed calls of one read, with the error of the last', async () => {
    const clock = new SimulatedClock();
    const { kinesis, calls } = fakeKinesis([iterator('it'), failure('ProvisionedThroughputExceededException'), failure('InternalFailure')]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, { ...options, maxAttempts: 2 });
    await reader.start({ type: 'TRIM_HORIZON' });
    const read = drive(clock, reader.read(new AbortController().signal));
    await expect(read).rejects.toBeInstanceOf(KinesisActorsError);
    await expect(read).rejects.toMatchObject({ code: 'KINESIS_ERROR', retriable: true });
    expect(calls).toHaveLength(3);
  });

  it('does not count a renewed iterator as a failed attempt', async () => {
    const clock = new SimulatedClock();
    const { kinesis } = fakeKinesis([iterator('it-1'), failure('ExpiredIteratorException'), iterator('it-2'), page([record('1')], 'it-3')]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, { ...options, maxAttempts: 1 });
    await reader.start({ type: 'LATEST' });
    expect((await drive(clock, reader.read(new AbortController().signal))).records).toHaveLength(1);
  });

  it('paces calls: at most 5 per second, and waits the idle time after an empty read', async () => {
    const clock = new SimulatedClock();
    const times: number[] = [];
    const answer = (records: KinesisRecord[]) => () => {
      times.push(clock.now());
      return page(records, 'next')();
    };
    const { kinesis } = fakeKinesis([iterator('it'), answer([record('1')]), answer([record('2')]), answer([]), answer([])]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, options);
    await reader.start({ type: 'LATEST' });
    const signal = new AbortController().signal;
    for (let i = 0; i < 4; i++) await drive(clock, reader.read(signal));
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(200);
    expect(times[3] - times[2]).toBeGreaterThanOrEqual(1000);
  });

  it('reports the end of a closed shard, and stops waiting when aborted', async () => {
    const clock = new SimulatedClock();
    const { kinesis } = fakeKinesis([iterator('it'), page([record('9')], undefined)]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    const last = await drive(clock, reader.read(new AbortController().signal));
    expect(last.shardEnded).toBe(true);
    expect((await reader.read(new AbortController().signal)).shardEnded).toBe(true);

    const other = new ShardReader(fakeKinesis([iterator('it'), page([], 'n')]).kinesis, 's', 'shard-1', clock, options);
    await other.start({ type: 'TRIM_HORIZON' });
    await drive(clock, other.read(new AbortController().signal));
    const controller = new AbortController();
    const waiting = other.read(controller.signal);
    controller.abort();
    expect((await waiting).records).toEqual([]);
  });

  it('lets a non-retriable error through', async () => {
    const clock = new SimulatedClock();
    const { kinesis } = fakeKinesis([
      iterator('it'),
      () => {
        throw new TypeError('bug');
      },
    ]);
    const reader = new ShardReader(kinesis, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    await expect(drive(clock, reader.read(new AbortController().signal))).rejects.toThrow(TypeError);
  });
});
