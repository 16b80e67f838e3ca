import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../../../src/consumer/record.ts';
import type { BatchFunction } from '../../../../src/consumer/error-handling/run-batch.ts';
import { START, capturingLogger, driveUntil, flush, harness, ids, makeRecords } from './helpers.ts';

/** A handler that records every call and fails as `fail` says. */
function recordingHandler(fail: (batch: ConsumerRecord[], call: number) => Error | undefined) {
  const calls: { records: ConsumerRecord[]; attempt: number; ok: boolean }[] = [];
  const handler: BatchFunction = async (records, context) => {
    const error = fail(records, calls.length + 1);
    calls.push({ records, attempt: context.attempt, ok: error === undefined });
    if (error) throw error;
  };
  return { handler, calls };
}

describe('runBatch', () => {
  it('hands the batch over once, in order, when the handler succeeds', async () => {
    const h = harness();
    const records = makeRecords(10);
    const { handler, calls } = recordingHandler(() => undefined);
    const outcome = await h.drive(h.run(records, handler));
    expect(outcome).toEqual({ completed: 10, failedToDestination: 0, attempts: 1, bisections: 0 });
    expect(calls).toHaveLength(1);
    expect(calls[0].records).toEqual(records);
    expect(calls[0].attempt).toBe(1);
    expect(h.events).toEqual([]);
  });

  it('does not call the handler for an empty batch', async () => {
    const h = harness();
    const { handler, calls } = recordingHandler(() => undefined);
    expect(await h.run([], handler)).toEqual({ completed: 0, failedToDestination: 0, attempts: 0, bisections: 0 });
    expect(calls).toHaveLength(0);
  });

  it('retries the whole batch with growing jittered delays on the clock, then succeeds', async () => {
    const h = harness({ maximumRetryAttempts: 5, retryBaseDelayMs: 100, retryMaxDelayMs: 10_000 });
    const records = makeRecords(5);
    const { handler, calls } = recordingHandler((_, call) => (call <= 2 ? new Error(`down ${call}`) : undefined));
    const outcome = await h.drive(h.run(records, handler));
    expect(outcome).toEqual({ completed: 5, failedToDestination: 0, attempts: 3, bisections: 0 });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls.every((c) => c.records.length === 5)).toBe(true);
    const retries = h.events.filter((e) => e.type === 'batch.retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(50);
    expect(retries[0].delayMs).toBeLessThanOrEqual(100);
    expect(retries[1].delayMs).toBeGreaterThanOrEqual(100);
    expect(retries[1].delayMs).toBeLessThanOrEqual(200);
    expect(h.clock.now() - START).toBeGreaterThanOrEqual(retries[0].delayMs + retries[1].delayMs);
    expect(h.failures).toEqual([]);
  });

  it('gives the batch to onFailure with its metadata when retries are exhausted, and completes it', async () => {
    const h = harness({ maximumRetryAttempts: 2 });
    const records = makeRecords(4);
    const { handler, calls } = recordingHandler((_, call) => new Error(`boom ${call}`));
    const outcome = await h.drive(h.run(records, handler));
    expect(calls).toHaveLength(3);
    expect(outcome).toEqual({ completed: 4, failedToDestination: 4, attempts: 3, bisections: 0 });
    expect(h.failures).toHaveLength(1);
    const [failure] = h.failures;
    expect(failure).toMatchObject({
      shardId: 'shard-0',
      startSequenceNumber: records[0].sequenceNumber,
      endSequenceNumber: records[3].sequenceNumber,
      batchSize: 4,
      attempts: 3,
      reason: 'retriesExhausted',
    });
    expect(failure.records).toEqual(records);
    expect((failure.error as Error).message).toBe('boom 3');
    expect(h.events.filter((e) => e.type === 'batch.failedToDestination')).toEqual([{ type: 'batch.failedToDestination', failure }]);
  });

  it('gives up at once with maximumRetryAttempts 0', async () => {
    const h = harness({ maximumRetryAttempts: 0 });
    const { handler, calls } = recordingHandler(() => new Error('no'));
    expect(await h.drive(h.run(makeRecords(3), handler))).toMatchObject({ completed: 3, failedToDestination: 3, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  describe('bisectBatchOnFunctionError', () => {
    it.each([0, 37, 99])('isolates the one poison record at %i among 100; every other record succeeds exactly once, in order', async (poisonAt) => {
      const maximumRetryAttempts = 2;
      const h = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts });
      const records = makeRecords(100);
      const poison = records[poisonAt];
      const done: string[] = [];
      const { handler, calls } = recordingHandler((batch) => (batch.includes(poison) ? new Error('poison') : undefined));
      const onFailure = h.failures;
      const outcome = await h.drive(
        h.run(records, async (batch, context) => {
          await handler(batch, context);
          done.push(...ids(batch));
        }),
      );

      expect(onFailure).toHaveLength(1);
      expect(onFailure[0].records).toEqual([poison]);
      expect(onFailure[0].reason).toBe('retriesExhausted');
      expect(outcome).toMatchObject({ completed: 100, failedToDestination: 1 });
      // Bisections follow only the poison record's path: at most ⌈log2 100⌉ = 7 of them.
      expect(outcome.bisections).toBeLessThanOrEqual(7);
      const withPoison = calls.filter((c) => c.records.includes(poison)).length;
      expect(onFailure[0].attempts).toBe(withPoison);
      expect(withPoison).toBe(outcome.bisections + 1 + maximumRetryAttempts);

      // Records succeed once each, in shard order, the poison record skipped.
      expect(done).toEqual(ids(records.filter((r) => r !== poison)));
      // A good record is also handed over in each failing batch above its own: at most 1 + bisections times.
      for (const record of records) {
        if (record === poison) continue;
        const seen = calls.filter((c) => c.records.includes(record)).length;
        expect(seen).toBeLessThanOrEqual(1 + outcome.bisections);
      }
      expect(h.events.filter((e) => e.type === 'batch.bisect')).toHaveLength(outcome.bisections);
      expect(h.events.filter((e) => e.type === 'batch.retry')).toHaveLength(maximumRetryAttempts);
    });

    it('finishes the first half, including giving up, before the second half starts', async () => {
      const log: string[] = [];
      const h = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, onFailure: async (f) => void log.push(`failed:${ids(f.records)}`) });
      const records = makeRecords(8);
      const outcome = await h.drive(
        h.run(records, async (batch) => {
          if (batch.includes(records[1]) || batch.includes(records[6])) throw new Error('bad');
          log.push(...ids(batch));
        }),
      );
      expect(outcome).toMatchObject({ completed: 8, failedToDestination: 2 });
      expect(log).toEqual(['record-0', 'failed:record-1', 'record-2', 'record-3', 'record-4', 'record-5', 'failed:record-6', 'record-7']);
    });
  });

  describe('maximumRecordAgeInSeconds', () => {
    it('sends records older than the limit to onFailure without calling the handler', async () => {
      const h = harness({ maximumRecordAgeInSeconds: 60 });
      const records = [...makeRecords(3, START - 60_001), ...makeRecords(2, START - 1_000).map((r, i) => ({ ...r, sequenceNumber: `5${i}` }))];
      const { handler, calls } = recordingHandler(() => undefined);
      const outcome = await h.drive(h.run(records, handler));
      expect(outcome).toEqual({ completed: 5, failedToDestination: 3, attempts: 1, bisections: 0 });
      expect(h.failures).toHaveLength(1);
      expect(h.failures[0]).toMatchObject({ reason: 'recordAgeExceeded', attempts: 0, error: undefined, batchSize: 3 });
      expect(h.failures[0].records).toEqual(records.slice(0, 3));
      expect(calls.map((c) => c.records)).toEqual([records.slice(3)]);
    });

    it('takes the deprecated maximumRecordAgeMs in milliseconds, to the millisecond', async () => {
      for (const [maximumRecordAgeMs, limit] of [
        [60_000, 60_000],
        [90_001, 90_001],
      ]) {
        const h = harness({ maximumRecordAgeMs });
        const records = [...makeRecords(2, START - limit - 1), ...makeRecords(3, START - limit).map((r, i) => ({ ...r, sequenceNumber: `5${i}` }))];
        const { handler, calls } = recordingHandler(() => undefined);
        expect(await h.drive(h.run(records, handler))).toEqual({ completed: 5, failedToDestination: 2, attempts: 1, bisections: 0 });
        expect(h.failures[0].records).toEqual(records.slice(0, 2));
        expect(calls.map((c) => c.records)).toEqual([records.slice(2)]);
      }
    });

    it('never calls the handler when the whole batch is too old', async () => {
      const h = harness({ maximumRecordAgeInSeconds: 60 });
      const { handler, calls } = recordingHandler(() => undefined);
      expect(await h.drive(h.run(makeRecords(4, START - 120_000), handler))).toMatchObject({ completed: 4, failedToDestination: 4, attempts: 0 });
      expect(calls).toHaveLength(0);
    });

    it('with unlimited retries, gives up once the records grow too old, with the last error', async () => {
      const h = harness({ maximumRecordAgeInSeconds: 60, maximumRetryAttempts: -1, retryMaxDelayMs: 5_000 });
      const { handler, calls } = recordingHandler((_, call) => new Error(`down ${call}`));
      const outcome = await h.drive(h.run(makeRecords(3), handler));
      expect(outcome).toMatchObject({ completed: 3, failedToDestination: 3 });
      expect(h.clock.now() - START).toBeGreaterThan(60_000);
      expect(h.failures[0]).toMatchObject({ reason: 'recordAgeExceeded', attempts: calls.length });
      expect((h.failures[0].error as Error).message).toBe(`down ${calls.length}`);
    });
  });

  describe('onFailure', () => {
    it('is retried with backoff until it succeeds', async () => {
      let tries = 0;
      const seen: unknown[] = [];
      const h = harness({
        maximumRetryAttempts: 0,
        onFailure: async (failure) => {
          seen.push(failure);
          if (++tries < 3) throw new Error('queue unavailable');
        },
      });
      const outcome = await h.drive(h.run(makeRecords(2), async () => Promise.reject(new Error('bad'))));
      expect(tries).toBe(3);
      expect(new Set(seen).size).toBe(1);
      expect(outcome).toMatchObject({ completed: 2, failedToDestination: 2 });
      expect(h.events.filter((e) => e.type === 'batch.destinationRetry').map((e) => e.attempt)).toEqual([1, 2]);
    });

    it('without a destination, logs the records given up on, counts them and moves on', async () => {
      const { logger, lines } = capturingLogger();
      const h = harness({ maximumRetryAttempts: 0, onFailure: undefined }, { logger });
      const outcome = await h.drive(h.run(makeRecords(2), async () => Promise.reject(new Error('bad'))));
      expect(outcome).toMatchObject({ completed: 2, failedToDestination: 2 });
      expect(lines.some((l) => l.level === 40 && l.msg.includes('discarded'))).toBe(true);
    });
  });

  it('treats programming errors in the handler like other failures, and logs them as errors', async () => {
    const { logger, lines } = capturingLogger();
    const h = harness({ maximumRetryAttempts: 1 }, { logger });
    const { handler, calls } = recordingHandler((_, call) => (call === 1 ? new TypeError('x is undefined') : undefined));
    expect(await h.drive(h.run(makeRecords(2), handler))).toMatchObject({ completed: 2, failedToDestination: 0, attempts: 2 });
    expect(calls).toHaveLength(2);
    expect(lines.find((l) => l.level === 50)?.err?.message).toBe('x is undefined');
  });

  it('survives an onEvent listener that throws', async () => {
    const throwing = harness(
      { maximumRetryAttempts: 1 },
      {
        onEvent: () => {
          throw new Error('listener bug');
        },
      },
    );
    const { handler } = recordingHandler((_, call) => (call === 1 ? new Error('once') : undefined));
    expect(await throwing.drive(throwing.run(makeRecords(2), handler))).toMatchObject({ completed: 2, attempts: 2 });
  });

  describe('abort', () => {
    it('during backoff returns at once with the prefix that is done, and never calls the handler again', async () => {
      const h = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: -1 });
      const records = makeRecords(10);
      const { handler, calls } = recordingHandler((batch) => (batch.includes(records[7]) ? new Error('poison') : undefined));
      let settled = false;
      const promise = h.run(records, handler).finally(() => (settled = true));
      await driveUntil(h.clock, () => calls.filter((c) => c.records.length === 1).length >= 3);
      const callsBefore = calls.length;
      h.controller.abort();
      await flush();
      expect(settled).toBe(true);
      const outcome = await promise;
      expect(outcome.completed).toBe(7);
      expect(outcome.failedToDestination).toBe(0);
      expect(h.clock.pending).toBe(0);
      h.clock.advance(60_000);
      await flush();
      expect(calls).toHaveLength(callsBefore);
      expect(h.failures).toEqual([]);
    });

    it('before the first call returns nothing done without calling the handler', async () => {
      const h = harness();
      const { handler, calls } = recordingHandler(() => undefined);
      h.controller.abort();
      expect(await h.run(makeRecords(3), handler)).toEqual({ completed: 0, failedToDestination: 0, attempts: 0, bisections: 0 });
      expect(calls).toHaveLength(0);
    });

    it('while onFailure is being retried leaves those records not done', async () => {
      let tries = 0;
      const h = harness({ maximumRetryAttempts: 0, onFailure: async () => Promise.reject(new Error(`down ${++tries}`)) });
      let settled = false;
      const promise = h.run(makeRecords(3), async () => Promise.reject(new Error('bad'))).finally(() => (settled = true));
      await driveUntil(h.clock, () => tries >= 2);
      h.controller.abort();
      await flush();
      expect(settled).toBe(true);
      expect(await promise).toMatchObject({ completed: 0, failedToDestination: 0, attempts: 1 });
    });

    it('counts a batch the handler finished after the abort as done', async () => {
      const h = harness();
      const outcome = await h.run(makeRecords(3), async () => {
        h.controller.abort();
      });
      expect(outcome.completed).toBe(3);
    });
  });
});
