import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { systemClock } from '../internal/clock.ts';
import { decodeKinesisRecord } from '../codec/kinesis-record.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../codec/envelope.ts';
import { listAllShards } from '../kinesis/list-shards.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { ShardReader } from '../kinesis/shard-reader.ts';

/** A user record as read back from the stream. */
export interface ReadUserRecord {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  partitionKey: string;
  data: Buffer;
}

/** What {@link readStream} found. */
export interface StreamContents {
  records: ReadUserRecord[];
  /** Kinesis records read, and their data bytes as stored. */
  kinesisRecords: number;
  kinesisBytes: number;
  /** Kinesis records that were compressed envelopes, and aggregates that failed their checks. */
  compressedRecords: number;
  invalidAggregates: number;
}

/** As fast as the stream answers, and a failing read fails the test that reads. */
const reads = { maxRecords: 10_000, minTimeBetweenReadsMs: 0, idleTimeBetweenReadsMs: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 0, maxAttempts: 1 };

/**
 * Reads every shard of a stream from TRIM_HORIZON to its current end, de-aggregated and
 * decompressed, in shard order. For tests and the demo's summary; a consumer does this with
 * leases and checkpoints.
 */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<StreamContents> {
  const api = new SdkKinesisApi(kinesis);
  const out: StreamContents = { records: [], kinesisRecords: 0, kinesisBytes: 0, compressedRecords: 0, invalidAggregates: 0 };
  const never = new AbortController().signal;
  for (const shard of await listAllShards(api, streamName)) {
    const shardId = shard.ShardId!;
    const reader = new ShardReader(api, streamName, shardId, systemClock, reads);
    await reader.start({ type: 'TRIM_HORIZON' });
    for (;;) {
      const page = await reader.read(never);
      for (const record of page.records) {
        out.kinesisRecords++;
        out.kinesisBytes += record.Data!.byteLength;
        const decoded = decodeKinesisRecord(record.Data!, record.PartitionKey!, undefined, DEFAULT_MAX_INFLATED_BYTES);
        if (decoded.compressed) out.compressedRecords++;
        if (decoded.status === 'invalid') out.invalidAggregates++;
        for (const user of decoded.records) {
          out.records.push({
            shardId,
            sequenceNumber: record.SequenceNumber!,
            subSequenceNumber: user.subSequenceNumber,
            partitionKey: user.partitionKey,
            data: Buffer.from(user.data),
          });
        }
      }
      if (page.records.length === 0 || page.shardEnded) break;
    }
  }
  return out;
}
