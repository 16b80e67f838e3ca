import { SubscribeToShardCommand, type KinesisClient, type SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import type { StartPosition, SubscriptionEvent } from './kinesis-api.ts';
import { classifyKinesisError, isProgrammingError } from './kinesis-errors.ts';
import { startingPosition } from './sdk-stream-consumers.ts';

const OPERATION = 'SubscribeToShard';

function classified(error: unknown): unknown {
  return isProgrammingError(error) ? error : classifyKinesisError(error, OPERATION);
}

/** An exception sent as an event of the stream, as the error it stands for. */
function eventError(event: SubscribeToShardEventStream): Error {
  const [name, value] = Object.entries(event).find(([, v]) => v !== undefined) ?? ['UnknownEvent', undefined];
  const error = new Error((value as { message?: string } | undefined)?.message ?? name);
  error.name = name === '$unknown' ? 'UnknownEvent' : name;
  return error;
}

async function* events(stream: AsyncIterable<SubscribeToShardEventStream>, release: AbortController): AsyncGenerator<SubscriptionEvent> {
  try {
    for await (const event of stream) {
      const e = event.SubscribeToShardEvent;
      if (!e) throw eventError(event);
      yield { records: e.Records ?? [], continuationSequenceNumber: e.ContinuationSequenceNumber ?? undefined, millisBehindLatest: e.MillisBehindLatest, childShards: e.ChildShards };
    }
  } catch (error) {
    throw classified(error);
  } finally {
    // The SDK's event stream leaves the HTTP/2 stream open when its reader stops early: the abort closes it.
    release.abort();
  }
}

/**
 * SubscribeToShard on the fan-out `client`: resolves once the subscription is accepted, with
 * its events. Whichever way the reading ends (the last event, an error, the reader returning,
 * `signal` aborting), the request is aborted so its HTTP/2 stream is released. Errors, at the
 * call or inside the stream, leave it classified.
 * @internal
 */
export async function subscribeToShard(
  client: KinesisClient,
  consumerArn: string,
  shardId: string,
  position: StartPosition,
  signal: AbortSignal,
): Promise<AsyncIterable<SubscriptionEvent>> {
  const release = new AbortController();
  const onAbort = () => release.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  release.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort), { once: true });
  try {
    const command = new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: startingPosition(position) });
    const output = await client.send(command, { abortSignal: release.signal });
    if (!output.EventStream) throw new Error('SubscribeToShard returned no event stream');
    return events(output.EventStream, release);
  } catch (error) {
    release.abort();
    throw classified(error);
  }
}
