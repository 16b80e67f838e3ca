import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisApi } from './kinesis-api.ts';

/** How {@link waitUntilStreamActive} polls. @internal */
export interface ActiveStreamWait {
  /** Milliseconds between DescribeStreamSummary calls. */
  pollMs: number;
  /** Give up after this long with an error. @defaultValue no limit */
  timeoutMs?: number | undefined;
  /** Sees each status other than ACTIVE, e.g. to show progress. */
  onStatus?: ((status: string | undefined) => void) | undefined;
}

/** Polls DescribeStreamSummary until the stream is ACTIVE (after a create, split or merge). @internal */
export async function waitUntilStreamActive(kinesis: KinesisApi, streamName: string, wait: ActiveStreamWait): Promise<void> {
  const timeoutMs = wait.timeoutMs ?? Infinity;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { StreamStatus } = await kinesis.describeStreamSummary(streamName);
    if (StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`stream ${streamName} not ACTIVE after ${timeoutMs} ms`);
    wait.onStatus?.(StreamStatus);
    await sleep(wait.pollMs);
  }
}

/** Creates a provisioned stream and waits until it is ACTIVE. @internal */
export async function createStreamAndWait(kinesis: KinesisApi, streamName: string, shardCount: number, wait: ActiveStreamWait): Promise<void> {
  await kinesis.createStream(streamName, shardCount);
  await waitUntilStreamActive(kinesis, streamName, wait);
}
