import type { PutRecordsRequestEntry, PutRecordsResultEntry, Shard, StreamDescriptionSummary, _Record } from '@aws-sdk/client-kinesis';

// Records, shards and PutRecords entries keep the shapes and names of the Kinesis API, so the
// SDK implementation hands them on without copying one per record: `Shard` (id, hash key range,
// sequence number range, parents), `PutRecordsRequestEntry`, `PutRecordsResultEntry` (a shard and
// sequence number, or an error code).
export type { PutRecordsRequestEntry, PutRecordsResultEntry, Shard };

/** A Kinesis record as GetRecords returns it (the API's `Record`). */
export type KinesisRecord = _Record;
/** A stream's status, open shards and retention, as DescribeStreamSummary returns them. */
export type StreamSummary = Partial<StreamDescriptionSummary>;

/** Where a shard iterator starts. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/** One page of ListShards. */
export interface ShardPage {
  shards: Shard[];
  /** Present when more shards follow: pass it to the next call instead of the stream name. */
  nextToken: string | undefined;
}

/** One GetRecords result. */
export interface RecordsPage {
  records: KinesisRecord[];
  /** Absent once the shard is closed and every record has been read. */
  nextShardIterator: string | undefined;
  millisBehindLatest: number | undefined;
}

/**
 * The Kinesis operations the framework uses: the one boundary between it and Kinesis. The
 * producer, the consumer, the CLI and the test kit call Kinesis through it and nothing else.
 * Every failure of Kinesis rejects with a `KinesisActorsError` from `classifyKinesisError`
 * (code and `retriable` set); a programming error rejects as it is. Enhanced fan-out joins
 * here as SubscribeToShard, beside GetShardIterator and GetRecords, with a reader of its own that
 * gives the shard consumer the same pages as the polling `ShardReader`.
 * @internal
 */
export interface KinesisApi {
  /** PutRecords; resolves with one result per entry, in the order of `entries`. */
  putRecords(streamName: string, entries: PutRecordsRequestEntry[]): Promise<PutRecordsResultEntry[]>;
  /** One page of ListShards: the first by stream name, the next ones by the token of the last. */
  listShards(page: { streamName: string } | { nextToken: string }): Promise<ShardPage>;
  /** GetShardIterator; undefined when Kinesis gives none. */
  getShardIterator(streamName: string, shardId: string, position: StartPosition): Promise<string | undefined>;
  /** GetRecords: at most `limit` records from `shardIterator`. */
  getRecords(shardIterator: string, limit: number): Promise<RecordsPage>;
  /** DescribeStreamSummary. */
  describeStreamSummary(streamName: string): Promise<StreamSummary>;
  /** CreateStream of a provisioned stream; it is CREATING until DescribeStreamSummary says ACTIVE. */
  createStream(streamName: string, shardCount: number): Promise<void>;
}
