import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { createProducer } from '../../src/producer/producer.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { pipelineProcessor } from '../../src/pipeline/pipeline-processor.ts';
import { defineStage } from '../../src/pipeline/stage.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { parseJson } from '../../src/stages/parse-json.ts';
import { toStream } from '../../src/stages/to-stream.ts';
import { windowAggregate } from '../../src/stages/windows/window-aggregate.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { clickEvent, putClickEvents, range } from './producer-helpers.ts';
import { until } from './wait.ts';

type Click = ReturnType<typeof clickEvent>['value'];

/** Counts the clicks of its shard; the count is checkpointed with the shard and emitted per batch. */
const tally = defineStage<StreamItem<Click>, StreamItem, { count: number; maxId: number }>({
  name: 'tally',
  create: ({ shardId }) => {
    let count = 0;
    let maxId = -1;
    return {
      process(items) {
        for (const item of items) {
          count++;
          maxId = Math.max(maxId, item.value.id);
        }
        return [{ value: { shardId, count, maxId }, partitionKey: shardId! }];
      },
      snapshot: () => ({ count, maxId }),
      restore: (state) => {
        count = state.count;
        maxId = state.maxId;
      },
    };
  },
});

function produce(stack: LocalStack, stream: string, ids: number[]) {
  return putClickEvents(stack.kinesis, stream, ids);
}

describe('a consumer pipeline against the embedded Kinesis and DynamoDB', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('checkpoints stage state with the lease, resumes it on the next worker, and puts the output onto another stream', async () => {
    const input = randomName('pin');
    const output = randomName('pout');
    const app = randomName('papp');
    await Promise.all([createStream(stack.kinesis, input, 2), createStream(stack.kinesis, output, 1)]);
    await produce(stack, input, range(1_000));

    const out = createProducer({ streamName: output, kinesis: stack.kinesis, recordMaxBufferedTime: 10 });
    const run = async (expected: number) => {
      const seen = new Set<number>();
      const observe = defineStage<StreamItem<Click>, StreamItem<Click>>({
        name: 'observe',
        create: () => ({ process: (items) => (items.forEach((i) => seen.add(i.value.id)), items) }),
      });
      const pipeline = Pipeline.from<ConsumerRecord>().pipe(parseJson<Click>()).pipe(observe).pipe(tally).pipe(toStream(out));
      const consumer = createConsumer({
        streamName: input,
        applicationName: app,
        kinesis: stack.kinesis,
        dynamodb: stack.dynamodb,
        initialPositionInStreamExtended: 'TRIM_HORIZON',
        idleTimeBetweenReadsInMillis: 50,
        processor: pipelineProcessor(pipeline),
      });
      await consumer.start();
      await until(() => seen.size === expected);
      await consumer.close();
      return seen;
    };

    expect((await run(1_000)).size).toBe(1_000);
    const store = new DynamoDbLeaseStore(stack.dynamodb!, app);
    const leases = await store.listLeases();
    const counted = leases.map((l) => (JSON.parse(l.checkpointState!) as { tally: { count: number } }).tally.count);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(1_000);

    // The next worker starts from the checkpoints and from the checkpointed counts.
    await produce(stack, input, range(500).map((i) => 1_000 + i));
    const second = await run(500);
    expect([...second].every((id) => id >= 1_000)).toBe(true);
    await out.close();

    const tallies = (await readStream(stack.kinesis, output)).records.map((r) => JSON.parse(r.data.toString()) as { shardId: string; count: number });
    const finalByShard = new Map<string, number>();
    for (const t of tallies) finalByShard.set(t.shardId, Math.max(finalByShard.get(t.shardId) ?? 0, t.count));
    expect([...finalByShard.values()].reduce((a, b) => a + b, 0)).toBe(1_500);
  });

  it('a stage that fails past its restart cap fails the pipeline; the shard restarts from its checkpoint and loses nothing', async () => {
    const stream = randomName('pfail');
    const app = randomName('pfapp');
    await createStream(stack.kinesis, stream, 1);
    await produce(stack, stream, range(300));
    let failuresLeft = 3;
    const seen = new Set<number>();
    let deliveries = 0;
    const flaky = defineStage<StreamItem<Click>, StreamItem<Click>>({
      name: 'flaky',
      supervision: { minBackoffMs: 5, maxBackoffMs: 5, maxRestarts: 1, withinMs: 60_000 },
      create: () => ({
        process(items) {
          if (failuresLeft-- > 0) throw new Error('downstream unavailable');
          return items;
        },
      }),
    });
    const record = defineStage<StreamItem<Click>, never>({
      name: 'record',
      create: () => ({ process: (items) => (items.forEach((i) => (deliveries++, seen.add(i.value.id))), []) }),
    });
    const failures: unknown[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: app,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: 50,
      processor: pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(parseJson<Click>()).pipe(flaky).pipe(record)),
    });
    consumer.on('consumer.restart', (e) => failures.push(e.error));
    await consumer.start();
    await until(() => seen.size === 300);
    await consumer.close();
    expect(failuresLeft).toBeLessThan(0);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatchObject({ code: 'PIPELINE_FAILED' });
    expect(deliveries).toBeGreaterThanOrEqual(300);
  });

  it('window counts survive a worker restart: the next worker continues the open windows, and each window is emitted once', async () => {
    const stream = randomName('pwin');
    const app = randomName('pwapp');
    await createStream(stack.kinesis, stream, 1);
    const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
    // 6 minutes of clicks, 10 per minute per page, over 3 pages; the first worker sees 3.5 minutes.
    const clicks = Array.from({ length: 180 }, (_, i) => ({ id: i, page: `/p${i % 3}`, ts: T0 + i * 2_000 }));
    const put = async (from: number, to: number) => {
      const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, recordMaxBufferedTime: 10 });
      for (const c of clicks.slice(from, to)) await producer.put(c, { partitionKey: c.page });
      await producer.close();
    };
    type Row = { windowStart: number; key: string; count: number };
    const emitted: Row[] = [];
    const run = async (expectedSeen: number) => {
      let seen = 0;
      const pipeline = Pipeline.from<ConsumerRecord>()
        .pipe(parseJson<{ page: string }>({ eventTimeField: 'ts' }))
        .pipe(defineStage<StreamItem<{ page: string }>, StreamItem<{ page: string }>>({ name: 'seen', create: () => ({ process: (items) => ((seen += items.length), items) }) }))
        .pipe(windowAggregate<{ page: string }>({ window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.page }))
        .pipe(defineStage<StreamItem<Row>, never>({ name: 'collect', create: () => ({ process: (items) => (items.forEach((i) => emitted.push(i.value)), []) }) }));
      const consumer = createConsumer({ streamName: stream, applicationName: app, kinesis: stack.kinesis, dynamodb: stack.dynamodb, initialPositionInStreamExtended: 'TRIM_HORIZON', idleTimeBetweenReadsInMillis: 50, processor: pipelineProcessor(pipeline) });
      await consumer.start();
      await until(() => seen === expectedSeen);
      await consumer.close();
    };
    await put(0, 105);
    await run(105);
    expect(emitted.map((r) => r.count)).toEqual(Array(9).fill(10));
    await put(105, 180);
    await run(75);
    // Minute 3 was half counted by the first worker and finished by the second; minutes 4 and
    // 5 close with the watermark; the last minute stays open for a next owner.
    const byWindow = new Map<string, number>();
    for (const r of emitted) byWindow.set(`${(r.windowStart - T0) / 60_000} ${r.key}`, (byWindow.get(`${(r.windowStart - T0) / 60_000} ${r.key}`) ?? 0) + 1);
    expect([...byWindow.values()].every((n) => n === 1)).toBe(true);
    expect(emitted).toHaveLength(15);
    expect(emitted.every((r) => r.count === 10)).toBe(true);
  });
});
