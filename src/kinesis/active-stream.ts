import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisApi, NewStream } from './kinesis-api.ts';
import type { StreamIdentity } from './stream-identity.ts';

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
export async function waitUntilStreamActive(kinesis: KinesisApi, stream: StreamIdentity, wait: ActiveStreamWait): Promise<void> {
  const timeoutMs = wait.timeoutMs ?? Infinity;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { StreamStatus } = await kinesis.describeStreamSummary(stream);
    if (StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`stream ${stream} not ACTIVE after ${timeoutMs} ms`);
    wait.onStatus?.(StreamStatus);
    await sleep(wait.pollMs);
  }
}

/** Creates a stream (provisioned or on-demand) and waits until it is ACTIVE. @internal */
export async function createStreamAndWait(kinesis: KinesisApi, streamName: string, settings: NewStream, wait: ActiveStreamWait): Promise<void> {
  await kinesis.createStream(streamName, settings);
  await waitUntilStreamActive(kinesis, streamName, wait);
}
