import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../../../src/consumer/record.ts';
import type { BatchFunction } from '../../../../src/consumer/error-handling/run-batch.ts';
import { KinesisActorsError } from '../../../../src/errors.ts';
import { harness, ids, makeRecords } from './helpers.ts';

/** A handler that returns `answers[call]` (the last one once they run out) and records each call. */
function answering(...answers: ((batch: ConsumerRecord[]) => unknown)[]) {
  const calls: { records: ConsumerRecord[]; attempt: number }[] = [];
  const handler = (async (records, context) => {
    calls.push({ records, attempt: context.attempt });
    return answers[Math.min(calls.length, answers.length) - 1](records);
  }) as BatchFunction;
  return { handler, calls };
}

const failing = (...identifiers: string[]) => () => ({ batchItemFailures: identifiers.map((itemIdentifier) => ({ itemIdentifier })) });
const ok = () => undefined;

/** Five user records of one aggregated Kinesis record, then two plain ones. */
function aggregated(): ConsumerRecord[] {
  const plain = makeRecords(7);
  return plain.map((r, i) => (i < 5 ? { ...r, sequenceNumber: '49000000000', subSequenceNumber: i } : r));
}

describe('runBatch with reportBatchItemFailures', () => {
  it('retries from the lowest failed item, counting an attempt, without reprocessing earlier records', async () => {
    const h = harness({ reportBatchItemFailures: true, maximumRetryAttempts: 3 });
    const records = makeRecords(10);
    const { handler, calls } = answering(failing(records[6].sequenceNumber, records[4].sequenceNumber), ok);
    const outcome = await h.drive(h.run(records, handler));
    expect(outcome).toEqual({ completed: 10, failedToDestination: 0, attempts: 2, bisections: 0 });
    expect(calls[1].records).toEqual(records.slice(4));
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(h.events.filter((e) => e.type === 'batch.retry')).toHaveLength(1);
  });

  it('gives the remainder to onFailure when the retries run out; the records before it are done', async () => {
    const h = harness({ reportBatchItemFailures: true, maximumRetryAttempts: 1 });
    const records = makeRecords(6);
    const { handler, calls } = answering(failing(records[2].sequenceNumber), failing(records[3].sequenceNumber));
    const outcome = await h.drive(h.run(records, handler));
    expect(ids(calls[1].records)).toEqual(ids(records.slice(2)));
    expect(outcome).toEqual({ completed: 6, failedToDestination: 3, attempts: 2, bisections: 0 });
    expect(h.failures[0]).toMatchObject({ reason: 'retriesExhausted', batchSize: 3, attempts: 2, startSequenceNumber: records[3].sequenceNumber });
    expect(h.failures[0].error).toBeInstanceOf(KinesisActorsError);
    expect((h.failures[0].error as KinesisActorsError).code).toBe('BATCH_ITEM_FAILED');
  });

  it('reads `sequenceNumber/subSequenceNumber` as one user record of an aggregated record', async () => {
    const h = harness({ reportBatchItemFailures: true });
    const records = aggregated();
    const { handler, calls } = answering(failing('49000000000/3'), ok);
    await h.drive(h.run(records, handler));
    expect(calls[1].records).toEqual(records.slice(3));
  });

  it('reads a bare sequence number as the first user record carrying it', async () => {
    const h = harness({ reportBatchItemFailures: true });
    const records = aggregated();
    const { handler, calls } = answering(failing(records[6].sequenceNumber, '49000000000'), ok);
    await h.drive(h.run(records, handler));
    expect(calls[1].records).toEqual(records);
  });

  it.each([
    ['nothing', () => undefined],
    ['null', () => null],
    ['an object without batchItemFailures', () => ({ inserted: 3 })],
    ['a null list', () => ({ batchItemFailures: null })],
    ['an empty list', () => ({ batchItemFailures: [] })],
  ])('treats %s as success', async (_, answer) => {
    const h = harness({ reportBatchItemFailures: true });
    const { handler, calls } = answering(answer);
    expect(await h.drive(h.run(makeRecords(3), handler))).toMatchObject({ completed: 3, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  // [what the handler returns, index the second call starts at]
  it.each([
    ['a string', () => 'done', 0],
    ['a list that is not an array', () => ({ batchItemFailures: { itemIdentifier: '49000000000' } }), 0],
    ['an entry without itemIdentifier', () => ({ batchItemFailures: [{ id: '49000000000' }] }), 0],
    ['an empty itemIdentifier', failing(''), 0],
    ['a null itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: null }] }), 0],
    ['an unknown sequence number', failing('12345'), 0],
    ['an unknown sub-sequence number', failing('49000000000/7'), 0],
    // The first call fails from record 1; the retry then names record 0, which it was not given.
    ['a record outside the batch', (batch: ConsumerRecord[]) => failing(batch.length === 4 ? batch[1].sequenceNumber : '49000000000')(), 1],
  ])('treats %s as a failure of the whole batch', async (_, answer, from) => {
    const h = harness({ reportBatchItemFailures: true, maximumRetryAttempts: 1 });
    const records = makeRecords(4);
    const { handler, calls } = answering(answer);
    const outcome = await h.drive(h.run(records, handler));
    expect(outcome).toMatchObject({ completed: 4, failedToDestination: 4 - from, attempts: 2 });
    expect(calls[1].records).toEqual(records.slice(from));
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].records).toEqual(records.slice(from));
    expect((h.failures[0].error as KinesisActorsError).code).toBe('INVALID_BATCH_RESULT');
    expect((h.failures[0].error as Error).message).toContain('the whole batch counts as failed');
  });

  it('bisects on a malformed result when bisectBatchOnFunctionError is on', async () => {
    const h = harness({ reportBatchItemFailures: true, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
    const records = makeRecords(4);
    const { handler } = answering((batch) => (batch.includes(records[3]) ? 'garbage' : undefined));
    const outcome = await h.drive(h.run(records, handler));
    expect(outcome).toMatchObject({ completed: 4, failedToDestination: 1, bisections: 2 });
    expect(h.failures[0].records).toEqual([records[3]]);
  });

  it('ignores results when reportBatchItemFailures is off', async () => {
    const h = harness({ reportBatchItemFailures: false });
    const records = makeRecords(3);
    const { handler, calls } = answering(failing(records[0].sequenceNumber));
    expect(await h.drive(h.run(records, handler))).toMatchObject({ completed: 3, attempts: 1 });
    expect(calls).toHaveLength(1);
  });
});
