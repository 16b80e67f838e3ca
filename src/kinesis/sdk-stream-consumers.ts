import {
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  ListStreamConsumersCommand,
  RegisterStreamConsumerCommand,
  type Consumer,
  type ConsumerDescription,
  type KinesisClient,
  type StartingPosition,
} from '@aws-sdk/client-kinesis';
import type { StartPosition, StreamConsumer, StreamConsumerRef } from './kinesis-api.ts';

/** Sends one command; the caller classifies what it throws. @internal */
export type Send = <T>(operation: string, send: () => Promise<T>) => Promise<T>;

function consumerOf(c: Consumer | ConsumerDescription | undefined): StreamConsumer {
  return { consumerName: c?.ConsumerName ?? '', consumerArn: c?.ConsumerARN ?? '', status: c?.ConsumerStatus ?? 'UNKNOWN', createdAt: c?.ConsumerCreationTimestamp };
}

function refInput(consumer: StreamConsumerRef): { ConsumerARN: string } | { StreamARN: string; ConsumerName: string } {
  return 'consumerArn' in consumer ? { ConsumerARN: consumer.consumerArn } : { StreamARN: consumer.streamArn, ConsumerName: consumer.consumerName };
}

/** SubscribeToShard's StartingPosition for a start position. @internal */
export function startingPosition(position: StartPosition): StartingPosition {
  if (position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER') return { Type: position.type, SequenceNumber: position.sequenceNumber };
  if (position.type === 'AT_TIMESTAMP') return { Type: position.type, Timestamp: position.timestamp };
  return { Type: position.type };
}

/**
 * The stream-consumer operations of `SdkKinesisApi` (RegisterStreamConsumer and its kin), on its
 * HTTP/1.1 client: they are plain requests, only SubscribeToShard needs HTTP/2.
 * @internal
 */
export class SdkStreamConsumers {
  constructor(
    private readonly client: KinesisClient,
    private readonly call: Send,
  ) {}

  async register(streamArn: string, consumerName: string): Promise<StreamConsumer> {
    const output = await this.call('RegisterStreamConsumer', () => this.client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName })));
    return consumerOf(output.Consumer);
  }

  async describe(consumer: StreamConsumerRef): Promise<StreamConsumer> {
    const output = await this.call('DescribeStreamConsumer', () => this.client.send(new DescribeStreamConsumerCommand(refInput(consumer))));
    return consumerOf(output.ConsumerDescription);
  }

  async list(streamArn: string): Promise<StreamConsumer[]> {
    const consumers: StreamConsumer[] = [];
    let nextToken: string | undefined;
    do {
      const input = nextToken ? { StreamARN: streamArn, NextToken: nextToken } : { StreamARN: streamArn };
      const output = await this.call('ListStreamConsumers', () => this.client.send(new ListStreamConsumersCommand(input)));
      for (const c of output.Consumers ?? []) consumers.push(consumerOf(c));
      nextToken = output.NextToken;
    } while (nextToken);
    return consumers;
  }

  async deregister(consumer: StreamConsumerRef): Promise<void> {
    await this.call('DeregisterStreamConsumer', () => this.client.send(new DeregisterStreamConsumerCommand(refInput(consumer))));
  }
}
