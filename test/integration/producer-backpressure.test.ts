import { afterEach, describe, expect, it } from 'vitest';
import { DescribeStreamSummaryCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createProducer, type Producer } from '../../src/producer/producer.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { MAX_HASH_KEY } from '../../src/codec/hash-key.ts';
import { SimulatedClock } from '../../src/testing/simulated-clock.ts';

const shardId = 'shardId-000000000000';

/** A one-shard Kinesis whose PutRecords answers wait until the test lets them go. */
function heldKinesis() {
  const held: (() => void)[] = [];
  let sequence = 0;
  const send = async (command: unknown) => {
    if (command instanceof DescribeStreamSummaryCommand) return { StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } };
    if (command instanceof ListShardsCommand) {
      return {
        Shards: [{ ShardId: shardId, HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX_HASH_KEY.toString() }, SequenceNumberRange: { StartingSequenceNumber: '0' } }],
      };
    }
    if (command instanceof PutRecordsCommand) {
      const entries = command.input.Records ?? [];
      await new Promise<void>((resolve) => held.push(resolve));
      return { FailedRecordCount: 0, Records: entries.map(() => ({ ShardId: shardId, SequenceNumber: String(++sequence) })) };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  };
  return { kinesis: { send, destroy() {} } as unknown as KinesisClient, held };
}

/**
 * Moves the simulated clock in small steps, giving the real worker thread time between them,
 * until `condition` holds. Time moves only here, so what the producer sees of it is exact.
 */
async function advanceUntil(clock: SimulatedClock, condition: () => boolean, stepMs = 10): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) {
    clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(condition()).toBe(true);
}

/** Settles to 'put' or the error's code, for expectations on a promise not yet awaited. */
function outcome(promise: Promise<unknown>): { value: string | undefined } {
  const seen: { value: string | undefined } = { value: undefined };
  promise.then(
    () => (seen.value = 'put'),
    (error: KinesisActorsError) => (seen.value = error.code),
  );
  return seen;
}

describe("a producer in 'wait' mode, on a simulated clock", () => {
  let producer: Producer | undefined;
  afterEach(async () => {
    await producer?.close();
    producer = undefined;
  });

  it('counts recordTtl from when a record enters its shard buffer: a put that waited longer in line is still sent', async () => {
    const clock = new SimulatedClock(1_000_000);
    const { kinesis, held } = heldKinesis();
    producer = createProducer({ streamName: 's', kinesis, clock, maxOutstandingRecords: 1, recordTtl: 1_000, metricsIntervalMs: 0 });
    const first = outcome(producer.put({ n: 1 }, { partitionKey: 'a' }));
    const second = producer.put({ n: 2 }, { partitionKey: 'b' });
    const secondOutcome = outcome(second);
    expect(producer.outstanding.waiting).toBe(1);

    await advanceUntil(clock, () => held.length === 1);
    // The first record's request takes 5 s: the second waits in line five times its recordTtl.
    clock.advance(5_000);
    held.shift()!();
    await advanceUntil(clock, () => first.value !== undefined);
    expect(first.value).toBe('put');
    expect(secondOutcome.value).toBeUndefined();
    expect(producer.outstanding).toMatchObject({ records: 1, waiting: 0 });

    await advanceUntil(clock, () => held.length === 1 || secondOutcome.value !== undefined);
    held.shift()?.();
    await advanceUntil(clock, () => secondOutcome.value !== undefined);
    await expect(second).resolves.toMatchObject({ shardId, attempts: 1 });
  });

  it('turns a put away with BACKPRESSURE naming maxBackpressureWaitMs once it has waited that long', async () => {
    const clock = new SimulatedClock(1_000_000);
    const { kinesis, held } = heldKinesis();
    producer = createProducer({ streamName: 's', kinesis, clock, maxOutstandingRecords: 1, maxBackpressureWaitMs: 2_000, metricsIntervalMs: 0 });
    const first = outcome(producer.put({ n: 1 }, { partitionKey: 'a' }));
    const second = producer.put({ n: 2 }, { partitionKey: 'b' });
    const secondOutcome = outcome(second);
    await advanceUntil(clock, () => held.length === 1);
    await advanceUntil(clock, () => secondOutcome.value !== undefined, 100);
    await expect(second).rejects.toMatchObject({ code: 'BACKPRESSURE', retriable: true, message: expect.stringContaining('options.maxBackpressureWaitMs (2000 ms)') });
    expect(producer.outstanding).toMatchObject({ records: 1, waiting: 0 });
    // The record that was accepted is not affected.
    held.shift()!();
    await advanceUntil(clock, () => first.value !== undefined);
    expect(first.value).toBe('put');
  });

  it('lets a send() that finds no room wait in line without throwing, and reports it turned away, as a put(), by producer.recordFailed with attempts 0', async () => {
    const clock = new SimulatedClock(1_000_000);
    const { kinesis, held } = heldKinesis();
    producer = createProducer({ streamName: 's', kinesis, clock, maxOutstandingRecords: 1, maxBackpressureWaitMs: 2_000, metricsIntervalMs: 0 });
    const failed: { partitionKey: string; attempts: number; error: Error }[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e));
    const first = outcome(producer.put({ n: 1 }, { partitionKey: 'a' }));
    expect(() => producer!.send({ n: 2 }, { partitionKey: 'b' })).not.toThrow();
    expect(producer.outstanding).toMatchObject({ records: 1, waiting: 1 });
    // The line holds at most maxOutstandingRecords puts: a send() that finds it full throws at once.
    expect(() => producer!.send({ n: 3 }, { partitionKey: 'c' })).toThrow(expect.objectContaining({ code: 'BACKPRESSURE', retriable: true }));
    await advanceUntil(clock, () => held.length === 1);
    await advanceUntil(clock, () => failed.length === 1, 100);
    expect(failed[0]).toMatchObject({ partitionKey: 'b', attempts: 0, error: expect.objectContaining({ code: 'BACKPRESSURE', message: expect.stringContaining('options.maxBackpressureWaitMs (2000 ms)') }) });

    const put = producer.put({ n: 4 }, { partitionKey: 'd' });
    const putOutcome = outcome(put);
    await advanceUntil(clock, () => putOutcome.value !== undefined, 100);
    await expect(put).rejects.toMatchObject({ code: 'BACKPRESSURE' });
    expect(failed.map((f) => [f.partitionKey, f.attempts])).toEqual([
      ['b', 0],
      ['d', 0],
    ]);
    held.shift()!();
    await advanceUntil(clock, () => first.value !== undefined);
    expect(first.value).toBe('put');
    expect(producer.metrics()).toMatchObject({ UserRecordsPut: 1 });
  });
});
