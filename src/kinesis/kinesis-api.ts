import type { ChildShard, PutRecordsRequestEntry, PutRecordsResultEntry, Shard, StreamDescriptionSummary, _Record } from '@aws-sdk/client-kinesis';
import type { StreamIdentity } from './stream-identity.ts';

// Records, shards and PutRecords entries keep the shapes and names of the Kinesis API, so the
// SDK implementation hands them on without copying one per record: `Shard` (id, hash key range,
// sequence number range, parents), `PutRecordsRequestEntry`, `PutRecordsResultEntry` (a shard and
// sequence number, or an error code).
export type { ChildShard, PutRecordsRequestEntry, PutRecordsResultEntry, Shard };

/** A Kinesis record as GetRecords returns it (the API's `Record`). */
export type KinesisRecord = _Record;
/** A stream's status, open shards and retention, as DescribeStreamSummary returns them. */
export type StreamSummary = Partial<StreamDescriptionSummary>;

/** What CreateStream makes: a provisioned stream of `shardCount` shards, or an on-demand one; and its record limit. */
export interface NewStream {
  /** Shards of a provisioned stream; ignored when `onDemand`. */
  shardCount: number;
  /** An on-demand stream (StreamModeDetails ON_DEMAND), which Kinesis scales itself. */
  onDemand?: boolean | undefined;
  /** The stream's record limit, 1024–10240 KiB; Kinesis' default (1024) when absent. */
  maxRecordSizeInKiB?: number | undefined;
}

/** Where a shard iterator starts. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/** One page of ListShards. */
export interface ShardPage {
  shards: Shard[];
  /** Present when more shards follow: pass it to the next call instead of the stream. */
  nextToken: string | undefined;
}

/** One GetRecords result. */
export interface RecordsPage {
  records: KinesisRecord[];
  /** Absent once the shard is closed and every record has been read. */
  nextShardIterator: string | undefined;
  millisBehindLatest: number | undefined;
}

/** A registered enhanced fan-out consumer of a stream (RegisterStreamConsumer). */
export interface StreamConsumer {
  consumerName: string;
  consumerArn: string;
  /** CREATING, ACTIVE or DELETING. */
  status: string;
  createdAt: Date | undefined;
}

/** A stream consumer, by its ARN or by its name on a stream. */
export type StreamConsumerRef = { consumerArn: string } | { streamArn: string; consumerName: string };

/** One event of a SubscribeToShard subscription. */
export interface SubscriptionEvent {
  records: KinesisRecord[];
  /** Where the next subscription resumes (after it); absent once the shard has ended. */
  continuationSequenceNumber: string | undefined;
  millisBehindLatest: number | undefined;
  /** The shard's children, in the event that ends it. */
  childShards: ChildShard[] | undefined;
}

/**
 * The Kinesis operations the framework uses: the one boundary between it and Kinesis. The
 * producer, the consumer, the CLI and the test kit call Kinesis through it and nothing else.
 * Every failure of Kinesis rejects with a `KinesisActorsError` from `classifyKinesisError`
 * (code and `retriable` set); a programming error rejects as it is. Enhanced fan-out is
 * SubscribeToShard, beside GetShardIterator and GetRecords, with a reader of its own
 * (`FanOutReader`) that gives the shard consumer the same pages as the polling `ShardReader`.
 * Every call on a stream takes its {@link StreamIdentity}: its name, or its ARN (sent as
 * `StreamARN`, for a stream of another account shared through a resource policy).
 * @internal
 */
export interface KinesisApi {
  /** PutRecords; resolves with one result per entry, in the order of `entries`. */
  putRecords(stream: StreamIdentity, entries: PutRecordsRequestEntry[]): Promise<PutRecordsResultEntry[]>;
  /** One page of ListShards: the first by stream, the next ones by the token of the last. */
  listShards(page: { stream: StreamIdentity } | { nextToken: string }): Promise<ShardPage>;
  /** GetShardIterator; undefined when Kinesis gives none. */
  getShardIterator(stream: StreamIdentity, shardId: string, position: StartPosition): Promise<string | undefined>;
  /** GetRecords: at most `limit` records from `shardIterator`. */
  getRecords(shardIterator: string, limit: number): Promise<RecordsPage>;
  /** DescribeStreamSummary. */
  describeStreamSummary(stream: StreamIdentity): Promise<StreamSummary>;
  /** CreateStream (by name: a new stream has no ARN yet); it is CREATING until DescribeStreamSummary says ACTIVE. */
  createStream(streamName: string, settings: NewStream): Promise<void>;
  /** RegisterStreamConsumer; the consumer is CREATING until DescribeStreamConsumer says ACTIVE. */
  registerStreamConsumer(streamArn: string, consumerName: string): Promise<StreamConsumer>;
  /** DescribeStreamConsumer. */
  describeStreamConsumer(consumer: StreamConsumerRef): Promise<StreamConsumer>;
  /** Every consumer registered on the stream (ListStreamConsumers, all pages). */
  listStreamConsumers(streamArn: string): Promise<StreamConsumer[]>;
  /** DeregisterStreamConsumer; it is DELETING until it is gone. */
  deregisterStreamConsumer(consumer: StreamConsumerRef): Promise<void>;
  /**
   * SubscribeToShard, on the fan-out client (HTTP/2): its events, until the subscription ends
   * (after about five minutes), fails, or `signal` aborts, which releases its HTTP/2 stream.
   * Events are read as they are pulled: a reader that stops pulling pauses the stream.
   */
  subscribeToShard(consumerArn: string, shardId: string, position: StartPosition, signal: AbortSignal): Promise<AsyncIterable<SubscriptionEvent>>;
}
