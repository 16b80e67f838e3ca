import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../../src/consumer/record.ts';
import type { Checkpointer } from '../../../src/consumer/processor.ts';
import { Pipeline } from '../../../src/pipeline/pipeline.ts';
import { pipelineProcessor } from '../../../src/pipeline/pipeline-processor.ts';
import { defineStage, type Hold } from '../../../src/pipeline/stage.ts';
import { settle } from './fixtures.ts';

function record(seq: number, value: unknown): ConsumerRecord {
  return { shardId: 's-0', sequenceNumber: String(seq), subSequenceNumber: 0, partitionKey: 'k', data: Buffer.from(JSON.stringify(value)), approximateArrivalTimestamp: new Date(0) };
}

function recordingCheckpointer() {
  const writes: { at: string | undefined; state: unknown }[] = [];
  const checkpointer: Checkpointer = {
    async checkpoint(at, options) {
      writes.push({ at: at?.sequenceNumber, state: options?.state === undefined ? undefined : JSON.parse(options.state) });
    },
  };
  return { writes, checkpointer };
}

const counting = defineStage<ConsumerRecord, ConsumerRecord, { seen: number }>({
  name: 'counting',
  create: () => {
    let seen = 0;
    return {
      process: (records) => ((seen += records.length), records),
      snapshot: () => ({ seen }),
      restore: (state) => void (seen = state.seen),
    };
  },
});

function holdingSink(holds: Hold[]) {
  return defineStage<ConsumerRecord, never>({ name: 'sink', create: () => ({ process: (_items, ctx) => (holds.push(ctx.hold()), []) }) });
}

describe('pipelineProcessor', () => {
  it('checkpoints a batch with every stage state only once the sink released it', async () => {
    const holds: Hold[] = [];
    const processor = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(counting).pipe(holdingSink(holds)))('s-0');
    const { writes, checkpointer } = recordingCheckpointer();
    const signal = new AbortController().signal;
    await processor.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON', state: JSON.stringify({ counting: { seen: 10 } }) });
    await processor.processRecords({ shardId: 's-0', records: [record(1, 'a'), record(2, 'b')], checkpointer, millisBehindLatest: 0, signal });
    await processor.processRecords({ shardId: 's-0', records: [record(3, 'c')], checkpointer, millisBehindLatest: 0, signal });
    await settle();
    expect(writes).toEqual([]);
    holds[0].release();
    await settle();
    expect(writes).toEqual([{ at: '2', state: { counting: { seen: 12 } } }]);
    const draining = processor.shutdownRequested!({ shardId: 's-0', checkpointer });
    await settle();
    holds[1].release();
    await draining;
    expect(writes.at(-1)).toEqual({ at: '3', state: { counting: { seen: 13 } } });
  });

  it('flushes and then checkpoints SHARD_END at the end of a shard', async () => {
    const processor = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(counting))('s-0');
    const { writes, checkpointer } = recordingCheckpointer();
    await processor.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON' });
    await processor.processRecords({ shardId: 's-0', records: [record(1, 'a')], checkpointer, millisBehindLatest: 0, signal: new AbortController().signal });
    await processor.shardEnded({ shardId: 's-0', checkpointer });
    expect(writes.at(-1)).toEqual({ at: undefined, state: undefined });
    expect(writes.slice(0, -1).every((w) => w.at === '1')).toBe(true);
  });

  it('refuses a corrupt checkpointed state, and state over the size limit', async () => {
    const processor = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(counting))('s-0');
    await expect(processor.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON', state: '[1,' })).rejects.toMatchObject({ code: 'PIPELINE_FAILED', message: expect.stringContaining('not a JSON object') });

    const hoarder = defineStage<ConsumerRecord, never, string>({ name: 'hoarder', create: () => ({ process: () => [], snapshot: () => 'x'.repeat(300 * 1024) }) });
    const big = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(hoarder))('s-0');
    const { checkpointer } = recordingCheckpointer();
    const signal = new AbortController().signal;
    await big.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON' });
    await big.processRecords({ shardId: 's-0', records: [record(1, 'a')], checkpointer, millisBehindLatest: 0, signal });
    await settle();
    await expect(big.processRecords({ shardId: 's-0', records: [record(2, 'b')], checkpointer, millisBehindLatest: 0, signal })).rejects.toMatchObject({
      code: 'PIPELINE_FAILED',
      cause: expect.objectContaining({ code: 'CHECKPOINT_STATE_TOO_LARGE' }),
    });
  });

  it('drops everything without a checkpoint when the lease is lost', async () => {
    const holds: Hold[] = [];
    const processor = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(holdingSink(holds)))('s-0');
    const { writes, checkpointer } = recordingCheckpointer();
    await processor.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON' });
    await processor.processRecords({ shardId: 's-0', records: [record(1, 'a')], checkpointer, millisBehindLatest: 0, signal: new AbortController().signal });
    await processor.leaseLost!({ shardId: 's-0' });
    holds[0]?.release();
    await settle();
    expect(writes).toEqual([]);
  });

  it('tells stages why they flush: drain on shutdown, shardEnd at the end of a shard', async () => {
    const reasons: unknown[] = [];
    const recording = defineStage<ConsumerRecord, never>({ name: 'recording', create: () => ({ process: () => [], flush: (ctx) => (reasons.push(ctx.flushReason), []) }) });
    const { checkpointer } = recordingCheckpointer();
    for (const end of ['shutdownRequested', 'shardEnded'] as const) {
      const processor = pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(recording))('s-0');
      await processor.initialize!({ shardId: 's-0', checkpoint: 'TRIM_HORIZON' });
      await processor[end]!({ shardId: 's-0', checkpointer });
    }
    expect(reasons).toEqual(['drain', 'shardEnd']);
  });
});
