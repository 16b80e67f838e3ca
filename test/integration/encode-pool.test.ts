import { afterEach, describe, expect, it } from 'vitest';
import { createEncodePool, type EncodePool } from '../../src/producer/worker-pool.ts';
import type { EncodeTask } from '../../src/producer/batch.ts';

function task(texts: string[]): EncodeTask {
  const bytes = texts.map((t) => Buffer.from(t));
  const data = Buffer.concat(bytes);
  return {
    compression: 'none',
    compressionLevel: 1,
    data: Buffer.concat([data, Buffer.from('k'.repeat(texts.length))]),
    dataSizes: Uint32Array.from(bytes.map((b) => b.length)),
    keysAt: data.length,
    keySizes: new Uint16Array(texts.length).fill(1),
    explicitHashKeys: null,
    groupSizes: texts.map(() => 1),
  };
}

describe('the encode pool (real worker threads)', () => {
  let pool: EncodePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('encodes batches posted in the same turn together, each getting its own records back', async () => {
    pool = createEncodePool(1);
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 5 }, (_, i) => `batch ${b} record ${i}`));
    const results = await Promise.all(batches.map((texts) => pool!.encode(task(texts))));
    results.forEach((result, b) => expect(result.records.map((r) => Buffer.from(r).toString())).toEqual(batches[b]));
  });

  it('rejects every batch of a shared task when its worker thread dies, and encodes the next ones on a new thread', async () => {
    pool = createEncodePool(1);
    await pool.encode(task(['warm-up']));
    const doomed = [pool.encode(task(['a'])), pool.encode(task(['b']))];
    // Killed before the posted task runs: both batches that share it must fail, not hang.
    await Promise.all(pool.threads.map((t) => t.terminate()));
    // Each settles (none hangs): failed, for the batch sender to send again, or with its own record.
    const outcomes = await Promise.allSettled(doomed);
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(Error);
      else expect(outcome.value.records.map((r) => Buffer.from(r).toString())).toEqual([['a', 'b'][i]]);
    });
    const after = await pool.encode(task(['c']));
    expect(Buffer.from(after.records[0]).toString()).toBe('c');
  });
});
