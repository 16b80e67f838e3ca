import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, createKinesisClient } from '../aws/clients.ts';
import type { AwsConnection } from '../aws/connection.ts';
import { loadOptional } from './optional-dependency.ts';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Total shards kinesalite allows across streams. @defaultValue 200 */
  shardLimit?: number | undefined;
  /** Also start dynalite for lease tables. @defaultValue true */
  dynamodb?: boolean | undefined;
  /** Port of the embedded Kinesis. @defaultValue 0 (any free port) */
  kinesisPort?: number | undefined;
  /** Port of the embedded DynamoDB. @defaultValue 0 (any free port) */
  dynamoDbPort?: number | undefined;
}

/** An in-process Kinesis (kinesalite) and DynamoDB (dynalite) on 127.0.0.1, in memory. */
export interface LocalStack {
  kinesisEndpoint: string;
  dynamoDbEndpoint: string | undefined;
  /** Connection settings for {@link createKinesisClient} pointing at the embedded Kinesis. */
  kinesisConnection: AwsConnection;
  /** Connection settings for the embedded DynamoDB. */
  dynamoDbConnection: AwsConnection | undefined;
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient | undefined;
  /** Stops both emulators and destroys the clients; idempotent. */
  close(): Promise<void>;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function listen(server: Server, wanted = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Counts requests in flight, so a close can let them finish before the emulator's store goes. */
function trackRequests(server: Server): { active: number } {
  const tracker = { active: 0 };
  server.on('request', (_req, res) => {
    tracker.active++;
    res.once('close', () => tracker.active--);
  });
  return tracker;
}

async function closeServer(server: Server, tracker: { active: number }): Promise<void> {
  // The emulators close their in-memory store before their HTTP server: a request still being
  // handled would then throw from inside the emulator. Let requests in flight finish first.
  for (let waited = 0; tracker.active > 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * Starts the embedded local stack on port 0. Used by the demo, the tests and the benchmarks;
 * nothing has to be installed or started beside it.
 *
 * @example
 * const stack = await startLocalStack();
 * await createStream(stack.kinesis, 'clicks', 4);
 * // ...
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const withDynamoDb = options.dynamodb ?? true;
  const peers = withDynamoDb ? ['kinesalite', 'dynalite'] : ['kinesalite'];
  const kinesalite = loadOptional('kinesalite', 'the embedded local stack', peers, (r) => r('kinesalite') as (o: object) => Server);
  const dynalite = withDynamoDb ? loadOptional('dynalite', 'the embedded local stack', peers, (r) => r('dynalite') as (o: object) => Server) : undefined;
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 200,
  });
  const kinesisRequests = trackRequests(kinesisServer);
  const kinesisEndpoint = await listen(kinesisServer, options.kinesisPort);
  const kinesisConnection: AwsConnection = { region: 'us-east-1', endpoint: kinesisEndpoint, credentials };

  let dynamoServer: Server | undefined;
  let dynamoRequests = { active: 0 };
  let dynamoDbConnection: AwsConnection | undefined;
  if (dynalite) {
    dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    dynamoRequests = trackRequests(dynamoServer);
    dynamoDbConnection = { region: 'us-east-1', endpoint: await listen(dynamoServer, options.dynamoDbPort), credentials };
  }

  const kinesis = createKinesisClient(kinesisConnection);
  const dynamodb = dynamoDbConnection ? createDynamoDbClient(dynamoDbConnection) : undefined;
  let closing: Promise<void> | undefined;
  return {
    kinesisEndpoint,
    dynamoDbEndpoint: dynamoDbConnection?.endpoint,
    kinesisConnection,
    dynamoDbConnection,
    kinesis,
    dynamodb,
    close() {
      closing ??= (async () => {
        kinesis.destroy();
        dynamodb?.destroy();
        await Promise.all([closeServer(kinesisServer, kinesisRequests), dynamoServer ? closeServer(dynamoServer, dynamoRequests) : undefined]);
      })();
      return closing;
    },
  };
}

/** A random stream or table name, so tests sharing an emulator never collide. */
export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
