import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { AwsConnection } from '../aws/connection.ts';
import { createFanOutClient, type FanOutClient } from '../kinesis/fan-out-client.ts';
import type { FanOutReaderOptions } from '../kinesis/fan-out-reader.ts';
import type { Http2SessionCounts } from '../kinesis/http2-handler.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import type { StreamIdentity } from '../kinesis/stream-identity.ts';
import { ensureStreamConsumer } from '../kinesis/stream-consumer-registration.ts';
import type { ResolvedRetrieval } from './retrieval.ts';

/** What a shard consumer needs to read its shard by fan-out. @internal */
export interface FanOutReading {
  consumerArn: string;
  options: FanOutReaderOptions;
}

/**
 * A worker's enhanced fan-out: its HTTP/2 client (built here, destroyed by `destroy()`), the
 * stream consumer it reads as (registered or checked once, at start), and what each shard
 * consumer's reader is given.
 * @internal
 */
export class FanOutRetrieval {
  readonly client: KinesisClient;
  private readonly http2: FanOutClient;
  private consumerArn: string | undefined;

  constructor(
    private readonly retrieval: Extract<ResolvedRetrieval, { type: 'fanOut' }>,
    source: { connection: AwsConnection | undefined } | { like: KinesisClient },
  ) {
    const t = retrieval.timings;
    this.http2 = createFanOutClient(source, { connectTimeoutMs: t.connectTimeoutMs, idleTimeoutMs: t.idleTimeoutMs });
    this.client = this.http2.client;
  }

  /** Finds or registers the stream consumer and waits until it is ACTIVE. */
  async register(kinesis: KinesisApi, stream: StreamIdentity, clock: Clock, logger: Logger, signal: AbortSignal): Promise<void> {
    const r = this.retrieval;
    const t = r.timings;
    const consumer = await ensureStreamConsumer(kinesis, r.consumerArn ? { consumerArn: r.consumerArn } : { stream, consumerName: r.consumerName }, {
      clock,
      logger,
      signal,
      pollMs: t.registrationPollMs,
      retryBaseDelayMs: t.retryBaseDelayMs,
      retryMaxDelayMs: t.retryMaxDelayMs,
      timeoutMs: t.registrationTimeoutMs,
    });
    this.consumerArn = consumer.consumerArn;
    logger.info({ consumerName: consumer.consumerName, consumerArn: consumer.consumerArn }, 'consumer.fanOut');
  }

  /** The reading of a shard; only after {@link register}. */
  reading(): FanOutReading {
    if (this.consumerArn === undefined) throw new Error('fan-out reading before the stream consumer was registered');
    return { consumerArn: this.consumerArn, options: this.retrieval.timings };
  }

  /** HTTP/2 sessions opened and open. */
  sessions(): Http2SessionCounts {
    return this.http2.handler.counts();
  }

  /** Destroys the HTTP/2 sessions of every subscription, as a broken connection would (for tests). */
  destroyHttp2Sessions(): void {
    this.http2.handler.destroy();
  }

  destroy(): void {
    this.client.destroy();
  }
}
