import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { clickEvent } from './click-events.ts';
import type { ProducerRun } from './producer.ts';
import { agg } from './aws-kinesis-agg.ts';
import { putAllRecords } from './peer-put-records.ts';

/** The peer: events aggregated with aws-kinesis-agg (1 MB aggregates) and put with the SDK, 8 requests in flight, for `seconds`. */
export async function runKinesisAgg(stack: LocalStack, seconds: number): Promise<ProducerRun> {
  const streamName = randomName('bench-agg');
  await createStream(stack.kinesis, streamName, 4);
  const started = performance.now();
  let bytes = 0;
  let kinesisRecords = 0;
  const chunk = 20_000;
  const inFlight = new Set<Promise<unknown>>();
  const send = (entries: PutRecordsRequestEntry[]) => putAllRecords(stack.kinesis, streamName, entries);
  const deadline = started + seconds * 1000;
  let events = 0;
  for (let start = 0; performance.now() < deadline; start += chunk) {
    events += chunk;
    const records: { partitionKey: string; data: Buffer }[] = [];
    for (let n = start; n < start + chunk; n++) {
      const { value, partitionKey } = clickEvent(n);
      records.push({ partitionKey, data: Buffer.from(JSON.stringify(value)) });
    }
    const encoded: PutRecordsRequestEntry[] = [];
    await new Promise<void>((resolve, reject) =>
      agg.aggregate(
        records,
        (record, cb) => {
          encoded.push({ Data: record.data, PartitionKey: record.partitionKey, ExplicitHashKey: record.explicitHashKey });
          bytes += record.data.length + record.partitionKey.length;
          cb();
        },
        resolve,
        reject,
      ),
    );
    kinesisRecords += encoded.length;
    // requests of at most 5 MiB
    let batch: PutRecordsRequestEntry[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const request = send(batch);
      batch = [];
      batchBytes = 0;
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      if (inFlight.size >= 8) await Promise.race(inFlight);
    };
    for (const entry of encoded) {
      if (batchBytes + (entry.Data as Buffer).length > 4.5 * 1024 * 1024 || batch.length === 500) await flush();
      batch.push(entry);
      batchBytes += (entry.Data as Buffer).length;
    }
    await flush();
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { eventsPerSec: Math.round(events / elapsed), bytesPerEvent: bytes / events, kinesisRecords };
}
