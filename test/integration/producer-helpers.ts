import { readStream, type StreamContents } from '../../src/testing/read-stream.ts';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';

/** A click event like the demo's, with a unique id and a per-user sequence. */
export function clickEvent(id: number, users = 1000) {
  const user = `user-${id % users}`;
  return {
    value: { id, user, seq: Math.floor(id / users), page: `/products/${id % 97}`, referrer: 'https://example.com/', ts: 1_700_000_000_000 + id },
    partitionKey: user,
  };
}

/** Accounting of what came back from the stream, per event id. */
export interface Accounting {
  contents: StreamContents;
  counts: Map<number, number>;
  missing: number[];
  duplicates: number;
  /** Partition keys whose events came back out of order (by first occurrence). */
  outOfOrderKeys: string[];
}

export async function account(kinesis: KinesisClient, streamName: string, expectedIds: Iterable<number>): Promise<Accounting> {
  const contents = await readStream(kinesis, streamName);
  const counts = new Map<number, number>();
  const lastSeq = new Map<string, number>();
  const outOfOrder = new Set<string>();
  for (const record of contents.records) {
    const event = JSON.parse(record.data.toString('utf8')) as { id: number; seq: number; user: string };
    const seen = counts.get(event.id) ?? 0;
    counts.set(event.id, seen + 1);
    if (seen > 0) continue;
    const previous = lastSeq.get(event.user);
    if (previous !== undefined && event.seq < previous) outOfOrder.add(event.user);
    lastSeq.set(event.user, event.seq);
  }
  const missing: number[] = [];
  for (const id of expectedIds) if (!counts.has(id)) missing.push(id);
  let duplicates = 0;
  for (const n of counts.values()) duplicates += n - 1;
  return { contents, counts, missing, duplicates, outOfOrderKeys: [...outOfOrder] };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Puts the click events of `ids` with a producer of default options and closes it. */
export async function putClickEvents(kinesis: KinesisClient, streamName: string, ids: number[]): Promise<void> {
  const producer = createProducer({ streamName, kinesis });
  await Promise.all(ids.map((id) => producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey })));
  await producer.close();
}
