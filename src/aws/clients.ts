import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connectionDefaults, type AwsConnection } from './connection.ts';


/** An HTTP/1.1 keep-alive handler sized by the connection. @internal */
export function httpHandler(connection: AwsConnection): NodeHttpHandler {
  const maxSockets = connection.maxConnections ?? connectionDefaults.maxConnections;
  return new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    requestTimeout: connection.requestTimeout ?? connectionDefaults.requestTimeout,
    connectionTimeout: 5000,
  });
}

/**
 * A Kinesis client over HTTP/1.1 with keep-alive. The SDK's HTTP/2 default fails against
 * kinesalite, and HTTP/1.1 with a pool of sockets is what PutRecords throughput needs anyway.
 * It resolves its middleware stack once per command (`cacheMiddleware`): resolving it for every
 * request was a tenth of a request's CPU. Middleware added after its first request of a
 * command is not used.
 * Without `connection.endpoint` the SDK resolves the endpoint itself (`AWS_ENDPOINT_URL_KINESIS`,
 * `AWS_ENDPOINT_URL`, the AWS config file, then the region's), as for any SDK client.
 */
export function createKinesisClient(connection: AwsConnection = {}): KinesisClient {
  return new KinesisClient({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    requestHandler: httpHandler(connection),
    maxAttempts: 1,
    cacheMiddleware: true,
  });
}

/**
 * A DynamoDB client for the lease table, configured like {@link createKinesisClient} (its
 * middleware stack resolved once per command too); without
 * `connection.endpoint` the SDK resolves it (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`, ...).
 */
export function createDynamoDbClient(connection: AwsConnection = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    requestHandler: httpHandler(connection),
    cacheMiddleware: true,
  });
}
