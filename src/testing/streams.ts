import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createStreamAndWait, waitUntilStreamActive } from '../kinesis/active-stream.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';

const pollMs = 20;

/** Creates a provisioned stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  await createStreamAndWait(new SdkKinesisApi(kinesis), streamName, shardCount, { pollMs, timeoutMs: 30_000 });
}

/** Polls DescribeStreamSummary until the stream is ACTIVE (after create, split or merge). */
export async function waitForStreamActive(kinesis: KinesisClient, streamName: string, timeoutMs = 30_000): Promise<void> {
  await waitUntilStreamActive(new SdkKinesisApi(kinesis), streamName, { pollMs, timeoutMs });
}
