import { sleepUnlessAborted, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { KinesisApi, StreamConsumer } from './kinesis-api.ts';
import { parseStreamArn, type StreamIdentity } from './stream-identity.ts';
import { ResourceInUseError } from './kinesis-errors.ts';

/** Which stream consumer to use: a given ARN, or one registered under a name. @internal */
export type StreamConsumerChoice = { consumerArn: string } | { stream: StreamIdentity; consumerName: string };

/** Pacing of {@link ensureStreamConsumer}. @internal */
export interface RegistrationPacing {
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Between DescribeStreamConsumer calls while the consumer is CREATING. */
  pollMs: number;
  /** Backoff after a throttled call (5 registrations per second per account, ≤ 5 consumers CREATING). */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Give up waiting for ACTIVE after this long. */
  timeoutMs: number;
}

function isThrottled(error: unknown): boolean {
  return error instanceof KinesisActorsError && error.code === 'THROTTLED';
}

/**
 * Finds or registers the stream consumer and waits until it is ACTIVE; resolves with it.
 * Registering is idempotent: a consumer of that name is reused, and one registered meanwhile by
 * another worker (ResourceInUseException) is described instead. Throttling (the account's
 * registration rate, consumers in CREATING) is waited out with a jittered backoff. A given ARN
 * that names no consumer rejects with `STREAM_CONSUMER_NOT_FOUND`, which retrying cannot fix.
 * @internal
 */
export async function ensureStreamConsumer(kinesis: KinesisApi, choice: StreamConsumerChoice, pacing: RegistrationPacing): Promise<StreamConsumer> {
  const deadline = pacing.clock.now() + pacing.timeoutMs;
  let attempt = 0;
  const retry = async (what: string, error: unknown): Promise<void> => {
    attempt++;
    pacing.logger.warn({ err: error, attempt }, `${what} throttled; backing off`);
    await sleepUnlessAborted(pacing.clock, jitteredBackoff(attempt, pacing.retryBaseDelayMs, pacing.retryMaxDelayMs), pacing.signal);
  };
  let consumer: StreamConsumer | undefined;
  let streamArn: string | undefined;
  for (;;) {
    if (pacing.signal.aborted) throw new KinesisActorsError('KINESIS_ERROR', 'stream consumer registration aborted', { retriable: true });
    try {
      if (consumer === undefined && 'consumerArn' in choice) consumer = await describeGiven(kinesis, choice.consumerArn);
      if (consumer === undefined && 'consumerName' in choice) {
        streamArn ??= await streamArnOf(kinesis, choice.stream);
        consumer = await findOrRegister(kinesis, streamArn, choice.consumerName, pacing.logger);
      }
      if (consumer!.status === 'ACTIVE') return consumer!;
      if (consumer!.status === 'DELETING') {
        throw new KinesisActorsError('STREAM_CONSUMER_NOT_FOUND', `stream consumer ${consumer!.consumerArn} is being deregistered (DELETING)`);
      }
      if (pacing.clock.now() > deadline) {
        throw new KinesisActorsError('KINESIS_ERROR', `stream consumer ${consumer!.consumerArn} not ACTIVE after ${pacing.timeoutMs} ms (${consumer!.status})`, { retriable: true });
      }
      await sleepUnlessAborted(pacing.clock, pacing.pollMs, pacing.signal);
      consumer = await kinesis.describeStreamConsumer({ consumerArn: consumer!.consumerArn });
    } catch (error) {
      if (!isThrottled(error)) throw error;
      await retry('stream consumer registration', error);
    }
  }
}

async function describeGiven(kinesis: KinesisApi, consumerArn: string): Promise<StreamConsumer> {
  try {
    return await kinesis.describeStreamConsumer({ consumerArn });
  } catch (error) {
    if (error instanceof KinesisActorsError && error.code === 'STREAM_CONSUMER_NOT_FOUND') {
      throw new KinesisActorsError(
        'STREAM_CONSUMER_NOT_FOUND',
        `no stream consumer ${consumerArn}: check retrieval.fanOut.consumerArn, or give retrieval.fanOut.consumerName to have it registered`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function streamArnOf(kinesis: KinesisApi, stream: StreamIdentity): Promise<string> {
  if (parseStreamArn(stream)) return stream;
  const summary = await kinesis.describeStreamSummary(stream);
  if (!summary.StreamARN) throw new KinesisActorsError('KINESIS_ERROR', `DescribeStreamSummary of ${stream} returned no StreamARN`, { retriable: true });
  return summary.StreamARN;
}

async function findOrRegister(kinesis: KinesisApi, streamArn: string, consumerName: string, logger: Logger): Promise<StreamConsumer> {
  try {
    return await kinesis.describeStreamConsumer({ streamArn, consumerName });
  } catch (error) {
    if (!(error instanceof KinesisActorsError && error.code === 'STREAM_CONSUMER_NOT_FOUND')) throw error;
  }
  try {
    const registered = await kinesis.registerStreamConsumer(streamArn, consumerName);
    logger.info({ consumerName, consumerArn: registered.consumerArn }, 'consumer.streamConsumerRegistered');
    return registered;
  } catch (error) {
    // Another worker of the application registered it first.
    if (error instanceof ResourceInUseError) return kinesis.describeStreamConsumer({ streamArn, consumerName });
    throw error;
  }
}
