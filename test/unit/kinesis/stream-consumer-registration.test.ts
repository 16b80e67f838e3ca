import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import type { StreamConsumer, StreamConsumerRef } from '../../../src/kinesis/kinesis-api.ts';
import { classifyKinesisError } from '../../../src/kinesis/kinesis-errors.ts';
import { ensureStreamConsumer } from '../../../src/kinesis/stream-consumer-registration.ts';
import { silentLogger } from '../../../src/internal/logger.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { fakeKinesisApi } from './fake-kinesis.ts';
import { drive } from './drive.ts';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
const consumer = (status: string): StreamConsumer => ({ consumerName: 'app', consumerArn: `${STREAM_ARN}/consumer/app:1`, status, createdAt: undefined });
const sdkError = (name: string, operation: string) => classifyKinesisError(Object.assign(new Error(name), { name }), operation);

function pacing(clock: SimulatedClock) {
  return { clock, logger: silentLogger(), signal: new AbortController().signal, pollMs: 100, retryBaseDelayMs: 200, retryMaxDelayMs: 2000, timeoutMs: 60_000 };
}

describe('ensureStreamConsumer', () => {
  it('registers a consumer of that name when none exists, backing off while registration is throttled, and waits until it is ACTIVE', async () => {
    const clock = new SimulatedClock();
    const calls: string[] = [];
    const statuses = ['CREATING', 'CREATING', 'ACTIVE'];
    let throttles = 2;
    const kinesis = fakeKinesisApi({
      describeStreamSummary: async () => ({ StreamARN: STREAM_ARN }),
      describeStreamConsumer: async (ref: StreamConsumerRef) => {
        calls.push('consumerArn' in ref ? 'describe:arn' : 'describe:name');
        if (!('consumerArn' in ref)) throw sdkError('ResourceNotFoundException', 'DescribeStreamConsumer');
        return consumer(statuses.shift()!);
      },
      registerStreamConsumer: async () => {
        calls.push('register');
        if (throttles-- > 0) throw sdkError('LimitExceededException', 'RegisterStreamConsumer');
        return consumer('CREATING');
      },
    });
    const started = clock.now();
    const result = await drive(clock, ensureStreamConsumer(kinesis, { stream: 's', consumerName: 'app' }, pacing(clock)));
    expect(result.status).toBe('ACTIVE');
    expect(calls.filter((c) => c === 'register')).toHaveLength(3);
    expect(calls.slice(-3)).toEqual(['describe:arn', 'describe:arn', 'describe:arn']);
    // Two jittered backoffs: at least half of 200 and of 400 ms.
    expect(clock.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('reuses a consumer of that name, and one another worker registered meanwhile', async () => {
    const clock = new SimulatedClock();
    const existing = fakeKinesisApi({
      describeStreamSummary: async () => ({ StreamARN: STREAM_ARN }),
      describeStreamConsumer: async () => consumer('ACTIVE'),
    });
    expect((await drive(clock, ensureStreamConsumer(existing, { stream: 's', consumerName: 'app' }, pacing(clock)))).consumerArn).toBe(consumer('ACTIVE').consumerArn);

    let described = 0;
    const raced = fakeKinesisApi({
      describeStreamSummary: async () => ({ StreamARN: STREAM_ARN }),
      describeStreamConsumer: async () => {
        if (described++ === 0) throw sdkError('ResourceNotFoundException', 'DescribeStreamConsumer');
        return consumer('ACTIVE');
      },
      registerStreamConsumer: async () => {
        throw sdkError('ResourceInUseException', 'RegisterStreamConsumer');
      },
    });
    expect((await drive(clock, ensureStreamConsumer(raced, { stream: 's', consumerName: 'app' }, pacing(clock)))).status).toBe('ACTIVE');
  });

  it('rejects a given ARN that names no consumer with STREAM_CONSUMER_NOT_FOUND, naming the option', async () => {
    const clock = new SimulatedClock();
    const kinesis = fakeKinesisApi({
      describeStreamConsumer: async () => {
        throw sdkError('ResourceNotFoundException', 'DescribeStreamConsumer');
      },
    });
    const error = await drive(clock, ensureStreamConsumer(kinesis, { consumerArn: `${STREAM_ARN}/consumer/x:1` }, pacing(clock))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisActorsError);
    expect(error).toMatchObject({ code: 'STREAM_CONSUMER_NOT_FOUND', retriable: false });
    expect((error as Error).message).toContain('retrieval.fanOut.consumerArn');
  });
});
