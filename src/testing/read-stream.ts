import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeKinesisRecord } from '../codec/kinesis-record.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../codec/envelope.ts';
import { listAllShards } from '../aws/list-shards.ts';

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

/**
 * Reads every shard of a stream from TRIM_HORIZON to its current end, de-aggregated and
 * decompressed, in shard order. For tests and the demo's summary; a consumer does this with
 * leases and checkpoints.
 */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<StreamContents> {
  const out: StreamContents = { records: [], kinesisRecords: 0, kinesisBytes: 0, compressedRecords: 0, invalidAggregates: 0 };
  for (const shard of await listAllShards(kinesis, streamName)) {
    const shardId = shard.ShardId!;
    let iterator = (
      await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
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
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}
