import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { AwsConnection } from '../aws/connection.ts';
import { EventStreamHttp2Handler, type Http2HandlerOptions } from './http2-handler.ts';

/** The HTTP/2 client of enhanced fan-out, and its handler (whose sessions can be counted). @internal */
export interface FanOutClient {
  client: KinesisClient;
  handler: EventStreamHttp2Handler;
}

/** Where the fan-out client connects: the consumer's connection, or the client it was given. @internal */
export type FanOutClientSource = { connection: AwsConnection | undefined } | { like: KinesisClient };

/**
 * A Kinesis client for SubscribeToShard only, over HTTP/2 with a handler whose sessions end
 * with their streams. Kept apart from the HTTP/1.1 client of every other request: fan-out needs
 * HTTP/2, and a problem of one transport stays away from the other. From a given client it
 * takes region, credentials and endpoint, so a caller who built their own client needs nothing
 * more.
 * @internal
 */
export function createFanOutClient(source: FanOutClientSource, timeouts: Http2HandlerOptions): FanOutClient {
  const handler = new EventStreamHttp2Handler(timeouts);
  if ('like' in source) {
    const config = source.like.config;
    const client = new KinesisClient({
      region: config.region,
      credentials: config.credentials,
      ...(config.isCustomEndpoint && config.endpoint ? { endpoint: config.endpoint } : {}),
      requestHandler: handler,
      maxAttempts: 1,
    });
    return { client, handler };
  }
  const c = source.connection ?? {};
  const client = new KinesisClient({ region: c.region, endpoint: c.endpoint, credentials: c.credentials, requestHandler: handler, maxAttempts: 1 });
  return { client, handler };
}
