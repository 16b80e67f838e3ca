import { describe, expect, it } from 'vitest';
import type { PutRecordsRequestEntry, PutRecordsResultEntry } from '../../../src/kinesis/kinesis-api.ts';
import { RequestCollector, type CollectorLimits, type Expected } from '../../../src/producer/request-collector.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));
const entries = (shard: string, n: number): PutRecordsRequestEntry[] =>
  Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(`${shard}-${i}`), PartitionKey: 'a', ExplicitHashKey: shard }));

/** A fake PutRecords: records each request, answers each entry with its own data as sequence number. */
function harness(limits: Partial<CollectorLimits> = {}, answer?: (request: PutRecordsRequestEntry[]) => Promise<PutRecordsResultEntry[]>) {
  const clock = new SimulatedClock(0);
  const requests: PutRecordsRequestEntry[][] = [];
  const send = (request: PutRecordsRequestEntry[]) => {
    requests.push(request);
    if (answer) return answer(request);
    return Promise.resolve(request.map((e) => ({ SequenceNumber: Buffer.from(e.Data!).toString(), ShardId: e.ExplicitHashKey })));
  };
  const inner = new RequestCollector({ putRecords: (_stream, request) => send(request) }, 's', clock, { maxEntries: 500, maxBytes: 5 * 1024 * 1024, holdMs: 10, ...limits });
  // Flushes expected in order, submitting or withdrawing in the order they were expected.
  const tickets: Expected[] = [];
  const collector = {
    expect: () => void tickets.push(inner.expect()),
    submit: (batch: PutRecordsRequestEntry[], bytes: number) => inner.submit(tickets.shift()!, batch, bytes),
    withdraw: () => inner.withdraw(tickets.shift()!),
  };
  return { clock, requests, collector };
}

const sequenceNumbers = (result: { records: (PutRecordsResultEntry | undefined)[] }) => result.records.map((r) => r?.SequenceNumber);

describe('RequestCollector', () => {
  it('sends the batches of flushes that started together in one request, each getting its own results', async () => {
    const { requests, collector } = harness();
    collector.expect();
    collector.expect();
    collector.expect();
    const a = collector.submit(entries('s0', 2), 10);
    const b = collector.submit(entries('s1', 1), 10);
    expect(requests).toHaveLength(0);
    const c = collector.submit(entries('s2', 3), 10);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toHaveLength(6);
    expect(sequenceNumbers(await a)).toEqual(['s0-0', 's0-1']);
    expect(sequenceNumbers(await b)).toEqual(['s1-0']);
    expect(sequenceNumbers(await c)).toEqual(['s2-0', 's2-1', 's2-2']);
  });

  it('sends a batch at once when no other flush is under way', () => {
    const { requests, collector } = harness();
    collector.expect();
    void collector.submit(entries('s0', 1), 10);
    expect(requests).toHaveLength(1);
  });

  it('waits at most holdMs for a flush that is late, which then goes out on its own', async () => {
    const { clock, requests, collector } = harness({ holdMs: 10 });
    collector.expect();
    collector.expect();
    const early = collector.submit(entries('s0', 1), 10);
    clock.advance(9);
    expect(requests).toHaveLength(0);
    clock.advance(1);
    expect(requests).toHaveLength(1);
    expect(sequenceNumbers(await early)).toEqual(['s0-0']);
    void collector.submit(entries('s1', 1), 10);
    expect(requests).toHaveLength(2);
  });

  it('sends what waits once the last flush it waited for withdraws', () => {
    const { requests, collector } = harness();
    collector.expect();
    collector.expect();
    void collector.submit(entries('s0', 1), 10);
    expect(requests).toHaveLength(0);
    collector.withdraw();
    expect(requests).toHaveLength(1);
  });

  it('ignores the withdrawal of a flush that already submitted, as every flush withdraws when it ends', () => {
    const clock = new SimulatedClock(0);
    const requests: number[] = [];
    const collector = new RequestCollector({ putRecords: (_stream, e) => (requests.push(e.length), Promise.resolve([])) }, 's', clock, { maxEntries: 500, maxBytes: 1 << 20, holdMs: 10 });
    const done = collector.expect();
    const other = collector.expect();
    const late = collector.expect();
    void collector.submit(done, entries('s0', 1), 10);
    collector.withdraw(done);
    void collector.submit(other, entries('s1', 1), 10);
    // Still waiting for `late`: the first withdrawal did not count it out.
    expect(requests).toEqual([]);
    collector.withdraw(late);
    expect(requests).toEqual([2]);
  });

  it('never puts more than the request limits in one request, and never splits a batch', async () => {
    const { requests, collector } = harness({ maxEntries: 5, maxBytes: 100 });
    for (let i = 0; i < 4; i++) collector.expect();
    const results = [collector.submit(entries('s0', 3), 10), collector.submit(entries('s1', 2), 10), collector.submit(entries('s2', 1), 95), collector.submit(entries('s3', 4), 10)];
    expect(requests.map((r) => r.length)).toEqual([5, 1, 4]);
    expect((await Promise.all(results)).map((r) => r.records.length)).toEqual([3, 2, 1, 4]);
  });

  it('rejects every batch of a request that failed as a whole, and only those', async () => {
    let calls = 0;
    const { collector } = harness({ maxEntries: 2 }, (request) => (calls++ === 0 ? Promise.reject(new Error('connection reset')) : Promise.resolve(request.map(() => ({ SequenceNumber: '1', ShardId: 's' })))));
    for (let i = 0; i < 3; i++) collector.expect();
    const first = collector.submit(entries('s0', 1), 10);
    const second = collector.submit(entries('s1', 1), 10);
    const third = collector.submit(entries('s2', 1), 10);
    await expect(first).rejects.toThrow('connection reset');
    await expect(second).rejects.toThrow('connection reset');
    expect(sequenceNumbers(await third)).toEqual(['1']);
  });

  it("hands each batch its own entries' failures, and nothing for entries a short answer left out", async () => {
    const { collector } = harness({}, (request) =>
      Promise.resolve(
        request.slice(0, 3).map((e, i) => (i === 1 ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' } : { SequenceNumber: String(i), ShardId: e.ExplicitHashKey })),
      ),
    );
    collector.expect();
    collector.expect();
    const a = collector.submit(entries('s0', 2), 10);
    const b = collector.submit(entries('s1', 2), 10);
    await settle();
    expect((await a).records.map((r) => r?.ErrorCode)).toEqual([undefined, 'ProvisionedThroughputExceededException']);
    expect((await b).records).toEqual([{ SequenceNumber: '2', ShardId: 's1' }, undefined]);
  });
});
