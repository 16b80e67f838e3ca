import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createStreamAndWait, waitUntilStreamActive } from '../kinesis/active-stream.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import type { NewStream } from '../kinesis/kinesis-api.ts';

const pollMs = 20;

/**
 * Creates a provisioned stream of `shardCount` shards (or, with `settings.onDemand`, an on-demand
 * one) and waits until it is ACTIVE. `settings.maxRecordSizeInKiB` raises its record limit
 * (kinesis-local takes it; kinesalite ignores it and keeps 1 MiB).
 */
export async function createStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
  settings: Omit<NewStream, 'shardCount'> = {},
): Promise<void> {
  await createStreamAndWait(new SdkKinesisApi(kinesis), streamName, { ...settings, shardCount }, { pollMs, timeoutMs: 30_000 });
}

/** Polls DescribeStreamSummary until the stream is ACTIVE (after create, split or merge). */
export async function waitForStreamActive(kinesis: KinesisClient, streamName: string, timeoutMs = 30_000): Promise<void> {
  await waitUntilStreamActive(new SdkKinesisApi(kinesis), streamName, { pollMs, timeoutMs });
}
