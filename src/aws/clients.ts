import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/** Where and how to reach AWS, or an emulator standing in for it. */
export interface AwsConnection {
  /** Region; the SDK's default chain applies when absent. */
  region?: string | undefined;
  /** Endpoint URL; absent means the real AWS endpoint for the region. */
  endpoint?: string | undefined;
  /** Static credentials; absent means the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** Sockets per client. @defaultValue 24 */
  maxConnections?: number | undefined;
  /** Milliseconds before a request is abandoned. @defaultValue 6000 */
  requestTimeout?: number | undefined;
}

function httpHandler(connection: AwsConnection): NodeHttpHandler {
  const maxSockets = connection.maxConnections ?? 24;
  return new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    requestTimeout: connection.requestTimeout ?? 6000,
    connectionTimeout: 5000,
  });
}

/**
 * A Kinesis client over HTTP/1.1 with keep-alive. The SDK's HTTP/2 default fails against
 * kinesalite, and HTTP/1.1 with a pool of sockets is what PutRecords throughput needs anyway.
 */
export function createKinesisClient(connection: AwsConnection = {}): KinesisClient {
  return new KinesisClient({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    requestHandler: httpHandler(connection),
    maxAttempts: 1,
  });
}

/** A DynamoDB client for the lease table, configured like {@link createKinesisClient}. */
export function createDynamoDbClient(connection: AwsConnection = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    requestHandler: httpHandler(connection),
  });
}
