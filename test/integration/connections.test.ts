import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider, InitializeHandler } from '@smithy/types';
import type { AwsConnection } from '../../src/aws/connection.ts';
import { createConsumer, type Consumer } from '../../src/consumer/consumer.ts';
import { createProducer } from '../../src/producer/producer.ts';
import { WrongEndpointError } from '../../src/aws/wrong-endpoint.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { until } from './wait.ts';

// Every client the framework builds, to look at what it was really given.
const built = vi.hoisted(() => ({ kinesis: [] as unknown[], dynamodb: [] as unknown[] }));
vi.mock('../../src/aws/clients.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/aws/clients.ts')>();
  return {
    ...actual,
    createKinesisClient: (connection?: AwsConnection) => {
      const client = actual.createKinesisClient(connection);
      built.kinesis.push(client);
      return client;
    },
    createDynamoDbClient: (connection?: AwsConnection) => {
      const client = actual.createDynamoDbClient(connection);
      built.dynamodb.push(client);
      return client;
    },
  };
});

/** The socket limit and request timeout a client's HTTP handler runs with (known once it has sent a request). */
function handlerSettings(client: unknown): { maxSockets: number | undefined; requestTimeout: number | undefined } {
  const handler = (client as KinesisClient | DynamoDBClient).config.requestHandler as NodeHttpHandler;
  const config = handler.httpHandlerConfigs();
  return { maxSockets: config.httpAgent && 'maxSockets' in config.httpAgent ? config.httpAgent.maxSockets : undefined, requestTimeout: config.requestTimeout };
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('connections as AWS SDK users expect, against the embedded Kinesis and DynamoDB', () => {
  let stack: LocalStack;
  const consumers: Consumer[] = [];
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(consumers.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack.close());

  /** A consumer that counts what it processes, closed after the test. */
  function consumer(options: Omit<Parameters<typeof createConsumer>[0], 'applicationName' | 'handler'>) {
    const seen = { records: 0 };
    const c = createConsumer({
      applicationName: randomName('app'),
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      maxInitializationAttempts: 2,
      schedulerInitializationBackoffTimeMillis: 10,
      ...options,
      async handler(records) {
        seen.records += records.length;
      },
    });
    consumers.push(c);
    return { consumer: c, seen };
  }

  async function streamWith(records: number): Promise<string> {
    const stream = randomName('conn');
    await createStream(stack.kinesis, stream, 1);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    await Promise.all(Array.from({ length: records }, (_, i) => producer.put({ i }, { partitionKey: `k${i}` })));
    await producer.close();
    return stream;
  }

  it('takes a credential provider in connection and signs with what it provides', async () => {
    let calls = 0;
    const provider: AwsCredentialIdentityProvider = async () => {
      calls++;
      return { accessKeyId: 'from-provider', secretAccessKey: 'secret' };
    };
    const stream = randomName('conn');
    await createStream(stack.kinesis, stream, 1);
    const producer = createProducer({ streamName: stream, connection: { ...stack.kinesisConnection, credentials: provider } });
    await producer.put({ hello: 'world' }, { partitionKey: 'k' });
    await producer.close();
    expect(calls).toBeGreaterThan(0);

    const { consumer: c, seen } = consumer({
      streamName: stream,
      connection: { ...stack.kinesisConnection, credentials: provider },
      dynamoDbConnection: { endpoint: stack.dynamoDbEndpoint },
    });
    await c.start();
    await until(() => seen.records === 1);
  });

  it("gives the producer's client the sockets and request timeout of connection, which its top-level defaults do not replace", async () => {
    const stream = randomName('conn');
    await createStream(stack.kinesis, stream, 1);
    const producer = createProducer({ streamName: stream, connection: { ...stack.kinesisConnection, maxConnections: 3, requestTimeout: 4321 } });
    const client = built.kinesis.at(-1);
    await producer.put({ hello: 'world' }, { partitionKey: 'k' });
    await producer.close();
    expect(handlerSettings(client)).toEqual({ maxSockets: 3, requestTimeout: 4321 });

    const kpl = createProducer({ streamName: stream, connection: stack.kinesisConnection, maxConnections: 5, requestTimeout: 2345 });
    const kplClient = built.kinesis.at(-1);
    await kpl.put({ hello: 'again' }, { partitionKey: 'k' });
    await kpl.close();
    expect(handlerSettings(kplClient)).toEqual({ maxSockets: 5, requestTimeout: 2345 });
  });

  it("gives both of the consumer's clients the sockets and request timeout of connection", async () => {
    const stream = await streamWith(10);
    const { consumer: c, seen } = consumer({
      streamName: stream,
      connection: { ...stack.kinesisConnection, maxConnections: 4, requestTimeout: 3456 },
      dynamoDbConnection: { endpoint: stack.dynamoDbEndpoint },
    });
    const [kinesis, dynamodb] = [built.kinesis.at(-1), built.dynamodb.at(-1)];
    await c.start();
    await until(() => seen.records === 10);
    expect(handlerSettings(kinesis)).toEqual({ maxSockets: 4, requestTimeout: 3456 });
    expect(handlerSettings(dynamodb)).toEqual({ maxSockets: 4, requestTimeout: 3456 });
  });

  it('sends DynamoDB calls where AWS_ENDPOINT_URL_DYNAMODB says when connection.endpoint is the Kinesis emulator', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', stack.dynamoDbEndpoint!);
    const stream = await streamWith(20);
    const { consumer: c, seen } = consumer({ streamName: stream, connection: stack.kinesisConnection });
    await c.start();
    await until(() => seen.records === 20);
  });

  it('reads and writes through AWS_ENDPOINT_URL_KINESIS and AWS_ENDPOINT_URL_DYNAMODB alone, as every SDK client does', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', stack.kinesisEndpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', stack.dynamoDbEndpoint!);
    const stream = randomName('conn');
    await createStream(stack.kinesis, stream, 1);
    const producer = createProducer({ streamName: stream, connection: { region: 'us-east-1', credentials } });
    await Promise.all(Array.from({ length: 30 }, (_, i) => producer.put({ i }, { partitionKey: `k${i}` })));
    await producer.close();
    const { consumer: c, seen } = consumer({ streamName: stream, connection: { region: 'us-east-1', credentials } });
    await c.start();
    await until(() => seen.records === 30);
  });

  it('fails start() with WRONG_ENDPOINT, naming the settings, when DynamoDB has no endpoint but Kinesis has an emulator', async () => {
    const stream = await streamWith(1);
    const { consumer: c } = consumer({ streamName: stream, connection: stack.kinesisConnection });
    const error = await c.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongEndpointError);
    expect(error).toMatchObject({ code: 'WRONG_ENDPOINT', service: 'DynamoDB', retriable: false });
    expect((error as Error).message).toContain(`Kinesis has ${stack.kinesisEndpoint} (from options.connection.endpoint)`);
    expect((error as Error).message).toContain('options.dynamoDbConnection.endpoint or AWS_ENDPOINT_URL_DYNAMODB');
  });

  it('fails start() with WRONG_ENDPOINT when the DynamoDB endpoint answers like something else', async () => {
    const stream = await streamWith(1);
    const { consumer: c } = consumer({ streamName: stream, connection: stack.kinesisConnection, dynamoDbConnection: { endpoint: stack.kinesisEndpoint } });
    const error = await c.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WRONG_ENDPOINT', service: 'DynamoDB', endpoint: stack.kinesisEndpoint });
    expect((error as Error).message).toMatch(
      new RegExp(`^DynamoDB at ${stack.kinesisEndpoint} \\(from options\\.dynamoDbConnection\\.endpoint\\) answered like something else \\(HTTP 404`),
    );
    expect((error as Error).message).toContain('options.dynamoDbConnection.endpoint or AWS_ENDPOINT_URL_DYNAMODB');

    // AWS_ENDPOINT_URL names one endpoint for every service: here the Kinesis emulator's.
    vi.stubEnv('AWS_ENDPOINT_URL', stack.kinesisEndpoint);
    const { consumer: viaEnv } = consumer({ streamName: stream, connection: { region: 'us-east-1', credentials } });
    const envError = await viaEnv.start().catch((e: unknown) => e);
    expect(envError).toMatchObject({ code: 'WRONG_ENDPOINT', service: 'DynamoDB' });
    expect((envError as Error).message).toContain(`DynamoDB at ${stack.kinesisEndpoint} (from AWS_ENDPOINT_URL) answered like something else`);
  });

  it('fails start() with WRONG_ENDPOINT when the Kinesis endpoint answers like something else', async () => {
    const { consumer: c } = consumer({
      streamName: randomName('conn'),
      connection: { ...stack.kinesisConnection, endpoint: stack.dynamoDbEndpoint },
      dynamoDbConnection: { endpoint: stack.dynamoDbEndpoint },
    });
    const error = await c.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WRONG_ENDPOINT', service: 'Kinesis', endpoint: stack.dynamoDbEndpoint });
    expect((error as Error).message).toContain('options.connection.endpoint or AWS_ENDPOINT_URL_KINESIS');
  });

  it('resolves a client\'s middleware once per command: what is added before its first request of a command is used, what comes after is not', async () => {
    const { createKinesisClient, createDynamoDbClient } = await vi.importActual<typeof import('../../src/aws/clients.ts')>('../../src/aws/clients.ts');
    const { DescribeStreamSummaryCommand, ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const stream = randomName('conn');
    await createStream(stack.kinesis, stream, 1);
    const kinesis = createKinesisClient(stack.kinesisConnection);
    const dynamodb = createDynamoDbClient(stack.dynamoDbConnection);
    const seen: string[] = [];
    // Generic over the command's input and output, so one middleware goes on both clients.
    const watch =
      (name: string) =>
      <I extends object, O extends object>(next: InitializeHandler<I, O>): InitializeHandler<I, O> =>
      (args) => {
        seen.push(name);
        return next(args);
      };
    try {
      kinesis.middlewareStack.add(watch('before'), { step: 'initialize', name: 'before' });
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      kinesis.middlewareStack.add(watch('after'), { step: 'initialize', name: 'after' });
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      // A command not sent before resolves the stack as it is now.
      await kinesis.send(new ListShardsCommand({ StreamName: stream }));
      expect(seen).toEqual(['before', 'before', 'before', 'after']);

      seen.length = 0;
      await dynamodb.send(new ListTablesCommand({}));
      dynamodb.middlewareStack.add(watch('after'), { step: 'initialize', name: 'after' });
      await dynamodb.send(new ListTablesCommand({}));
      expect(seen).toEqual([]);
    } finally {
      kinesis.destroy();
      dynamodb.destroy();
    }
  });
});
