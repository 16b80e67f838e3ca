import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type CreateStreamCommandInput,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { classifyKinesisError, isProgrammingError } from './kinesis-errors.ts';
import { streamParameter, type StreamIdentity } from './stream-identity.ts';
import type {
  KinesisApi,
  NewStream,
  PutRecordsRequestEntry,
  PutRecordsResultEntry,
  RecordsPage,
  ShardPage,
  StartPosition,
  StreamConsumer,
  StreamConsumerRef,
  StreamSummary,
  SubscriptionEvent,
} from './kinesis-api.ts';
import { SdkStreamConsumers } from './sdk-stream-consumers.ts';
import { subscribeToShard } from './subscribe-to-shard.ts';

/**
 * {@link KinesisApi} on the AWS SDK's Kinesis client: the one place that sends Kinesis commands.
 * Errors leave it classified; the clients' life (their sockets, `destroy()`) stays with whoever
 * built them. SubscribeToShard goes to `fanOutClient` (HTTP/2), every other request to `client`.
 * @internal
 */
export class SdkKinesisApi implements KinesisApi {
  private readonly consumers: SdkStreamConsumers;

  constructor(
    private readonly client: KinesisClient,
    private readonly fanOutClient: KinesisClient = client,
  ) {
    this.consumers = new SdkStreamConsumers(client, (operation, send) => this.call(operation, send));
  }

  async putRecords(stream: StreamIdentity, entries: PutRecordsRequestEntry[]): Promise<PutRecordsResultEntry[]> {
    const output = await this.call('PutRecords', () => this.client.send(new PutRecordsCommand({ ...streamParameter(stream), Records: entries })));
    return output.Records ?? [];
  }

  async listShards(page: { stream: StreamIdentity } | { nextToken: string }): Promise<ShardPage> {
    const input = 'nextToken' in page ? { NextToken: page.nextToken } : streamParameter(page.stream);
    const output = await this.call('ListShards', () => this.client.send(new ListShardsCommand(input)));
    return { shards: output.Shards ?? [], nextToken: output.NextToken };
  }

  async getShardIterator(stream: StreamIdentity, shardId: string, position: StartPosition): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput = { ...streamParameter(stream), ShardId: shardId, ShardIteratorType: position.type };
    if (position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER') input.StartingSequenceNumber = position.sequenceNumber;
    if (position.type === 'AT_TIMESTAMP') input.Timestamp = position.timestamp;
    const output = await this.call('GetShardIterator', () => this.client.send(new GetShardIteratorCommand(input)));
    return output.ShardIterator;
  }

  async getRecords(shardIterator: string, limit: number): Promise<RecordsPage> {
    const output = await this.call('GetRecords', () => this.client.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: limit })));
    return { records: output.Records ?? [], nextShardIterator: output.NextShardIterator ?? undefined, millisBehindLatest: output.MillisBehindLatest };
  }

  async describeStreamSummary(stream: StreamIdentity): Promise<StreamSummary> {
    const output = await this.call('DescribeStreamSummary', () => this.client.send(new DescribeStreamSummaryCommand(streamParameter(stream))));
    return output.StreamDescriptionSummary ?? {};
  }

  async createStream(streamName: string, settings: NewStream): Promise<void> {
    const input: CreateStreamCommandInput = settings.onDemand
      ? { StreamName: streamName, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
      : { StreamName: streamName, ShardCount: settings.shardCount };
    if (settings.maxRecordSizeInKiB !== undefined) input.MaxRecordSizeInKiB = settings.maxRecordSizeInKiB;
    await this.call('CreateStream', () => this.client.send(new CreateStreamCommand(input)));
  }

  registerStreamConsumer(streamArn: string, consumerName: string): Promise<StreamConsumer> {
    return this.consumers.register(streamArn, consumerName);
  }

  describeStreamConsumer(consumer: StreamConsumerRef): Promise<StreamConsumer> {
    return this.consumers.describe(consumer);
  }

  listStreamConsumers(streamArn: string): Promise<StreamConsumer[]> {
    return this.consumers.list(streamArn);
  }

  deregisterStreamConsumer(consumer: StreamConsumerRef): Promise<void> {
    return this.consumers.deregister(consumer);
  }

  subscribeToShard(consumerArn: string, shardId: string, position: StartPosition, signal: AbortSignal): Promise<AsyncIterable<SubscriptionEvent>> {
    return subscribeToShard(this.fanOutClient, consumerArn, shardId, position, signal);
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw isProgrammingError(error) ? error : classifyKinesisError(error, operation);
    }
  }
}
