import { describe, expect, it } from 'vitest';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ShardReader } from '../../../src/consumer/shard-reader.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

type Call = { name: string; input: Record<string, unknown> };

/** A Kinesis client fake that answers from a script and records the calls. */
function fakeKinesis(script: ((call: Call) => unknown)[]) {
  const calls: Call[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { name: command.constructor.name, input: command.input };
      calls.push(call);
      const step = script.shift();
      if (!step) throw new Error(`unexpected ${call.name}`);
      return step(call);
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

function error(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
}

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
const record = (seq: string) => ({ SequenceNumber: seq, Data: new Uint8Array(), PartitionKey: 'k' });

describe('ShardReader', () => {
  it('gets a new iterator right after the last record when the iterator expired', async () => {
    const clock = new SimulatedClock();
    const { client, calls } = fakeKinesis([
      () => ({ ShardIterator: 'it-1' }),
      () => ({ Records: [record('100'), record('200')], NextShardIterator: 'it-2', MillisBehindLatest: 5 }),
      () => {
        throw error('ExpiredIteratorException');
      },
      () => ({ ShardIterator: 'it-3' }),
      () => ({ Records: [record('300')], NextShardIterator: 'it-4' }),
    ]);
    const reader = new ShardReader(client, 's', 'shard-0', clock, options);
    await reader.start({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' });
    const signal = new AbortController().signal;
    const first = await drive(clock, reader.read(signal));
    expect(first.records.map((r) => r.SequenceNumber)).toEqual(['100', '200']);
    expect(first.millisBehindLatest).toBe(5);
    const second = await drive(clock, reader.read(signal));
    expect(second.records.map((r) => r.SequenceNumber)).toEqual(['300']);
    expect(calls[3].input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '200' });
  });

  it('backs off on throttling and retries with the same iterator', async () => {
    const clock = new SimulatedClock();
    const { client, calls } = fakeKinesis([
      () => ({ ShardIterator: 'it-1' }),
      () => {
        throw error('ProvisionedThroughputExceededException');
      },
      () => {
        throw error('ProvisionedThroughputExceededException');
      },
      () => ({ Records: [record('1')], NextShardIterator: 'it-2' }),
    ]);
    const reader = new ShardReader(client, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    const started = clock.now();
    const page = await drive(clock, reader.read(new AbortController().signal));
    expect(page.records).toHaveLength(1);
    expect(calls.slice(1).map((c) => c.input.ShardIterator)).toEqual(['it-1', 'it-1', 'it-1']);
    expect(clock.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('paces calls: at most 5 per second, and waits the idle time after an empty read', async () => {
    const clock = new SimulatedClock();
    const times: number[] = [];
    const answer = (records: ReturnType<typeof record>[]) => () => {
      times.push(clock.now());
      return { Records: records, NextShardIterator: 'next' };
    };
    const { client } = fakeKinesis([() => ({ ShardIterator: 'it' }), answer([record('1')]), answer([record('2')]), answer([]), answer([])]);
    const reader = new ShardReader(client, 's', 'shard-0', clock, options);
    await reader.start({ type: 'LATEST' });
    const signal = new AbortController().signal;
    for (let i = 0; i < 4; i++) await drive(clock, reader.read(signal));
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(200);
    expect(times[3] - times[2]).toBeGreaterThanOrEqual(1000);
  });

  it('reports the end of a closed shard, and stops waiting when aborted', async () => {
    const clock = new SimulatedClock();
    const { client } = fakeKinesis([() => ({ ShardIterator: 'it' }), () => ({ Records: [record('9')], NextShardIterator: undefined })]);
    const reader = new ShardReader(client, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    const last = await drive(clock, reader.read(new AbortController().signal));
    expect(last.shardEnded).toBe(true);
    expect((await reader.read(new AbortController().signal)).shardEnded).toBe(true);

    const other = new ShardReader(fakeKinesis([() => ({ ShardIterator: 'it' }), () => ({ Records: [], NextShardIterator: 'n' })]).client, 's', 'shard-1', clock, options);
    await other.start({ type: 'TRIM_HORIZON' });
    await drive(clock, other.read(new AbortController().signal));
    const controller = new AbortController();
    const waiting = other.read(controller.signal);
    controller.abort();
    expect((await waiting).records).toEqual([]);
  });

  it('lets a non-retriable error through', async () => {
    const clock = new SimulatedClock();
    const { client } = fakeKinesis([
      () => ({ ShardIterator: 'it' }),
      () => {
        throw new TypeError('bug');
      },
    ]);
    const reader = new ShardReader(client, 's', 'shard-0', clock, options);
    await reader.start({ type: 'TRIM_HORIZON' });
    await expect(drive(clock, reader.read(new AbortController().signal))).rejects.toThrow(TypeError);
  });
});
