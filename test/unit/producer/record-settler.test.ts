import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import { harness, idOf, low, settle, twoShards } from './shard-harness.ts';

describe('RecordSettler, sending records again and failing them', () => {
  it('retries failed records with backoff and fails them as expired after recordTtl', async () => {
    const h: ReturnType<typeof harness> = harness({ recordTtl: 1000, retryBaseDelay: 100, retryMaxDelay: 400 }, async (batch) => {
      for (const g of batch.groups) for (const r of g) r.attempts++;
      h.settler.retryOrFail(batch.groups.flat(), new KinesisActorsError('THROTTLED', 'slow down', { retriable: true }));
    });
    h.applyMap(twoShards);
    h.put(1, low);
    for (let step = 0; step < 40; step++) {
      h.clock.advance(50);
      await settle();
    }
    expect(h.failed).toHaveLength(1);
    expect((h.failed[0].error as KinesisActorsError).code).toBe('RECORD_EXPIRED');
    expect(h.failed[0].error.message).toContain('slow down');
    expect(h.failed[0].record.attempts).toBeGreaterThan(1);
  });

  /** Puts 0..5 on one shard in batches of two, fails the first attempt, and lists the ids of every batch sent. */
  async function sendWithFirstAttemptFailing(preserveOrder: boolean): Promise<number[][]> {
    const sent: number[][] = [];
    const h: ReturnType<typeof harness> = harness({ aggregationEnabled: false, collectionMaxCount: 2, retryBaseDelay: 100, retryMaxDelay: 400, preserveOrder }, async (batch) => {
      const records = batch.groups.flat();
      sent.push(records.map(idOf));
      for (const r of records) r.attempts++;
      if (sent.length === 1) h.settler.retryOrFail(records, new KinesisActorsError('KINESIS_ERROR', 'HTTP 500', { retriable: true }));
      else for (const r of records) r.settled = true;
    });
    h.applyMap(twoShards);
    for (let i = 0; i < 6; i++) h.put(i, low);
    for (let step = 0; step < 400 && sent.flat().length < 8; step++) {
      h.clock.advance(1);
      await settle();
    }
    return sent;
  }

  it('with preserveOrder, sends a failed batch again, whole, before anything newer of its shard', async () => {
    expect(await sendWithFirstAttemptFailing(true)).toEqual([
      [0, 1],
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('without preserveOrder, sends newer records while a failed batch waits out its backoff', async () => {
    const sent = (await sendWithFirstAttemptFailing(false)).flat();
    // Each record draws its own backoff: the two retries may go out apart, in either order.
    expect(sent.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sent.slice(6).sort()).toEqual([0, 1]);
  });

  it('fails throttled records at once with failIfThrottled', () => {
    const h = harness({ failIfThrottled: true });
    h.applyMap(twoShards);
    const record = h.put(1, low);
    h.settler.retryOrFail([record], new KinesisActorsError('THROTTLED', 'slow down', { retriable: true }));
    expect(h.failed.map((f) => (f.error as KinesisActorsError).code)).toEqual(['THROTTLED']);
  });
});
