import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import type { ProducerOptions } from '../../src/producer/options.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { createStream, randomName, readStream, startFaultProxy, startLocalStack, type FaultProxyFaults, type LocalStack } from '../../src/testing/index.ts';
import { range } from './producer-helpers.ts';

/**
 * How far a sequence of event numbers is from put order: `records` counts the events that come
 * after a later-put one (the records delivered out of order), `pairs` the inverted pairs.
 */
function inversions(sequence: readonly number[]): { records: number; pairs: number } {
  let records = 0;
  let max = -1;
  for (const n of sequence) {
    if (n < max) records++;
    else max = n;
  }
  // Pairs i < j with sequence[i] > sequence[j], counted with a Fenwick tree over the values.
  const size = Math.max(0, ...sequence) + 2;
  const tree = new Array<number>(size + 1).fill(0);
  let pairs = 0;
  for (let i = 0; i < sequence.length; i++) {
    let seenAtMost = 0;
    for (let k = sequence[i] + 1; k > 0; k -= k & -k) seenAtMost += tree[k];
    pairs += i - seenAtMost;
    for (let k = sequence[i] + 1; k <= size; k += k & -k) tree[k]++;
  }
  return { records, pairs };
}

/** The events of the stream by their first copy, and by their last copy. */
function copies(events: readonly number[]): { first: number[]; last: number[] } {
  const firstAt = new Map<number, number>();
  const lastAt = new Map<number, number>();
  events.forEach((n, i) => {
    if (!firstAt.has(n)) firstAt.set(n, i);
    lastAt.set(n, i);
  });
  const byPosition = (at: Map<number, number>) => [...at.keys()].sort((a, b) => at.get(a)! - at.get(b)!);
  return { first: byPosition(firstAt), last: byPosition(lastAt) };
}

/** {@link inversions} of each partition key's events, by their first and by their last copy, summed over the keys. */
function inversionsPerKey(events: readonly { id: number; key: string }[]) {
  const byKey = new Map<string, number[]>();
  for (const { id, key } of events) {
    let ids = byKey.get(key);
    if (!ids) byKey.set(key, (ids = []));
    ids.push(id);
  }
  const sum = { first: { records: 0, pairs: 0 }, last: { records: 0, pairs: 0 } };
  for (const ids of byKey.values()) {
    const { first, last } = copies(ids);
    for (const [which, order] of [['first', first], ['last', last]] as const) {
      const found = inversions(order);
      sum[which].records += found.records;
      sum[which].pairs += found.pairs;
    }
  }
  return sum;
}

describe('producer order per partition key through retries', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  /** Puts numbered events, spread over `keys` partition keys, through the proxy into a one-shard stream and reads them back. */
  async function run(faults: FaultProxyFaults, options: Partial<ProducerOptions> = {}, keys = 1) {
    const stream = randomName('order');
    await createStream(stack.kinesis, stream, 1);
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, ...faults });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint, requestTimeout: 2000 });
    // Small aggregates and requests make many requests, so that many of them fail.
    const producer = createProducer({
      streamName: stream,
      kinesis,
      aggregationMaxSize: 512,
      collectionMaxCount: 2,
      recordTtl: 120_000,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 200,
      ...options,
    });
    const ids = range(3000);
    const outcomes = await Promise.allSettled(ids.map((id) => producer.put({ id, pad: 'x'.repeat(60) }, { partitionKey: `key-${id % keys}` })));
    await producer.close();
    kinesis.destroy();
    const stats = proxy.stats;
    await proxy.close();
    const contents = await readStream(stack.kinesis, stream);
    const events = contents.records.map((r) => ({ id: (JSON.parse(r.data.toString('utf8')) as { id: number }).id, key: r.partitionKey }));
    const seen = new Set(events.map((e) => e.id));
    return {
      rejected: outcomes.filter((o) => o.status === 'rejected'),
      missing: ids.filter((id) => !seen.has(id)),
      duplicates: events.length - seen.size,
      stats,
      metrics: producer.metrics(),
      ...inversionsPerKey(events),
    };
  }

  it('keeps the order of first appearance when 5 % of requests fail with 5xx and connections reset', async () => {
    const got = await run({ seed: 12, requestFailureRate: 0.05, connectionResetRate: 0.02 });
    expect(got.rejected).toEqual([]);
    expect(got.missing).toEqual([]);
    // The faults happened: whole requests failed, some after their records were written.
    expect(Object.keys(got.stats.failedRequests).length).toBeGreaterThan(0);
    expect(got.stats.connectionResets).toBeGreaterThan(0);
    expect(got.metrics.RetriesPerRecord.max).toBeGreaterThan(0);
    const { first } = got;
    console.log(
      `order through 5xx and resets: ${first.records} events out of order (${first.pairs} inverted pairs) by first appearance, ` +
        `${got.duplicates} duplicates; faults ${JSON.stringify(got.stats.failedRequests)}, ${got.stats.connectionResets} resets`,
    );
    expect(first).toEqual({ records: 0, pairs: 0 });
  });

  it('keeps the order of last copies of each key when entries fail inside a request, throttled or failed', async () => {
    const got = await run(
      // A request of 40 aggregates of 2 KB is more than the 64 KiB the shard's bucket holds.
      { seed: 5, throttle: { bytesPerSecond: 64 * 1024 }, entryFailureRate: 0.03, requestFailureRate: 0.02 },
      { rateLimit: 400, aggregationMaxSize: 2048, collectionMaxCount: 40 },
      // Aggregates mix the keys: out of them only the records of keys that had a record fail are sent again.
      3,
    );
    expect(got.rejected).toEqual([]);
    expect(got.missing).toEqual([]);
    expect(got.stats.throttledEntries).toBeGreaterThan(0);
    expect(got.stats.failedEntries).toBeGreaterThan(0);
    const { first, last } = got;
    console.log(
      `order through failed entries: ${last.records} events out of order by last copy, ${first.records} (${first.pairs} pairs) ` +
        `by first copy, ${got.duplicates} duplicates; ${got.stats.throttledEntries} throttled and ${got.stats.failedEntries} failed entries`,
    );
    expect(last).toEqual({ records: 0, pairs: 0 });
  });
});
