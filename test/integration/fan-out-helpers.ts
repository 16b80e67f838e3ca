import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConsumer, type Consumer } from '../../src/consumer/consumer.ts';
import type { ConsumerOptions } from '../../src/consumer/options.ts';
import type { FanOutTimings } from '../../src/consumer/retrieval.ts';
import type { FanOutRetrieval } from '../../src/consumer/fan-out-retrieval.ts';
import type { Http2SessionCounts } from '../../src/kinesis/http2-handler.ts';
import { randomName } from '../../src/testing/local-stack.ts';
import { pino } from 'pino';

/** Fan-out timings shortened for tests: renewals every `renewAfterMs`, quick retries. */
export function shortTimings(renewAfterMs?: number): Partial<FanOutTimings> {
  return { renewAfterMs, minTimeBetweenSubscribesMs: 50, retryBaseDelayMs: 50, retryMaxDelayMs: 500, resourceInUseDelayMs: 200, registrationPollMs: 50 };
}

/** The retrieval option of a fan-out consumer with test timings (an internal field). */
export function fanOut(timings: Partial<FanOutTimings>, consumer: { consumerName?: string; consumerArn?: string } = {}): ConsumerOptions['retrieval'] {
  return { fanOut: { ...consumer, timings } as { consumerName?: string } };
}

/** What a test consumer received. */
export interface Received {
  /** Deliveries per event id. */
  counts: Map<number, number>;
  /** Shards records came from. */
  shards: Set<string>;
  /** Users whose events arrived out of order (by `seq`, first occurrences). */
  outOfOrder: Set<string>;
  deliveries: number;
}

export function received(): Received {
  return { counts: new Map(), shards: new Set(), outOfOrder: new Set(), deliveries: 0 };
}

/** A handler that records every click event into `into`, after `delayMs` per batch. */
export function recordingHandler(into: Received, delayMs = 0): NonNullable<ConsumerOptions['handler']> {
  const lastSeq = new Map<string, number>();
  return async (records) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    for (const r of records) {
      const event = JSON.parse(r.data.toString('utf8')) as { id: number; user: string; seq: number };
      const n = into.counts.get(event.id) ?? 0;
      into.counts.set(event.id, n + 1);
      into.deliveries++;
      into.shards.add(r.shardId);
      if (n > 0) continue;
      const previous = lastSeq.get(event.user);
      if (previous !== undefined && event.seq < previous) into.outOfOrder.add(event.user);
      lastSeq.set(event.user, event.seq);
    }
  };
}

/** A consumer of `stream` on kinesis-local and dynalite, reading from TRIM_HORIZON. */
export function testConsumer(
  stream: string,
  clients: { kinesis: KinesisClient; dynamodb: DynamoDBClient },
  options: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'handler'>,
): Consumer {
  return createConsumer({
    streamName: stream,
    applicationName: randomName('fo-app'),
    kinesis: clients.kinesis,
    dynamodb: clients.dynamodb,
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    failoverTimeMillis: 2000,
    shardSyncIntervalMillis: 500,
    parentShardPollIntervalMillis: 100,
    idleTimeBetweenReadsInMillis: 100,
    metricsInterval: 0,
    ...(process.env.FO_DEBUG ? { logger: pino({ level: 'debug' }) } : {}),
    ...options,
  });
}

/** The fan-out of a consumer (internal), for its HTTP/2 session counts and handler. */
export function fanOutOf(consumer: Consumer): FanOutRetrieval {
  return (consumer as unknown as { fanOut: FanOutRetrieval }).fanOut;
}

export function sessions(consumer: Consumer): Http2SessionCounts {
  return fanOutOf(consumer).sessions();
}
