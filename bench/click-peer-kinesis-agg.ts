import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { PeerCapture } from './click-peer-server.ts';
import { agg } from './aws-kinesis-agg.ts';

/**
 * The second peer: clicks buffered in an array, and every 100 ms (or 1,000 clicks) aggregated
 * with aws-kinesis-agg and sent with `PutRecords`, the entries Kinesis refused sent again. The
 * 202 does not wait, as with this framework's producer; there is no backpressure and no limit
 * on requests in flight, as a first version would have. `close()` sends what is buffered and
 * waits for every request.
 */
export function kinesisAggPeer(kinesis: KinesisClient, streamName: string, options = { lingerMs: 100, maxRecords: 1000 }): PeerCapture {
  let buffer: { partitionKey: string; data: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();

  const send = async (records: { partitionKey: string; data: Buffer }[]) => {
    const entries: PutRecordsRequestEntry[] = [];
    await new Promise<void>((resolve, reject) =>
      agg.aggregate(
        records,
        (record, cb) => {
          entries.push({ Data: record.data, PartitionKey: record.partitionKey, ExplicitHashKey: record.explicitHashKey });
          cb();
        },
        resolve,
        reject,
      ),
    );
    for (let pending = entries; pending.length > 0; ) {
      const response = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
      pending = pending.filter((_, i) => response.Records?.[i]?.ErrorCode);
    }
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const request = send(buffer).catch(() => void failed++);
    buffer = [];
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  return {
    capture(click) {
      buffer.push({ partitionKey: click.userId, data: Buffer.from(JSON.stringify(click)) });
      if (buffer.length >= options.maxRecords) flush();
      else timer ??= setTimeout(flush, options.lingerMs);
    },
    async close() {
      flush();
      await Promise.all(inFlight);
      if (failed > 0) throw new Error(`${failed} PutRecords batches failed`);
    },
  };
}
