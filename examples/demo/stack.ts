import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, createKinesisClient } from '../../src/index.ts';
import { randomName, startLocalStack } from '../../src/testing/index.ts';

/** Where the demo runs: its Kinesis, its DynamoDB, the names it uses there. */
export interface DemoStack {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  /** One line saying where Kinesis and DynamoDB are. */
  where: string;
  streamName: string;
  applicationName: string;
  close(): Promise<void>;
}

/**
 * The embedded Kinesis and DynamoDB, or — when the SDK's `AWS_ENDPOINT_URL_KINESIS` (or
 * `AWS_ENDPOINT_URL`) is set — the endpoints the SDK resolves from those variables, as any AWS
 * tool would. Elsewhere the names get a random suffix, and the stream and the lease table are
 * deleted at the end, so that runs never meet.
 */
export async function demoStack(env: NodeJS.ProcessEnv = process.env): Promise<DemoStack> {
  const kinesisUrl = env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL;
  if (!kinesisUrl) {
    const stack = await startLocalStack();
    return {
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb!,
      where: `Embedded Kinesis at ${stack.kinesisEndpoint}, DynamoDB at ${stack.dynamoDbEndpoint}`,
      streamName: 'clicks',
      applicationName: 'click-demo',
      close: () => stack.close(),
    };
  }
  const dynamoDbUrl = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  if (!dynamoDbUrl) {
    throw new Error('AWS_ENDPOINT_URL_KINESIS is set but neither AWS_ENDPOINT_URL_DYNAMODB nor AWS_ENDPOINT_URL: the lease table needs DynamoDB too');
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // No endpoint given: the SDK takes it from the variables, as it would for any client.
  const kinesis = createKinesisClient({ region });
  const dynamodb = createDynamoDbClient({ region });
  const streamName = randomName('clicks');
  const applicationName = randomName('click-demo');
  return {
    kinesis,
    dynamodb,
    where: `Kinesis at ${kinesisUrl}, DynamoDB at ${dynamoDbUrl} (the AWS_ENDPOINT_URL variables)`,
    streamName,
    applicationName,
    async close() {
      await Promise.allSettled([
        kinesis.send(new DeleteStreamCommand({ StreamName: streamName })),
        dynamodb.send(new DeleteTableCommand({ TableName: applicationName })),
      ]);
      kinesis.destroy();
      dynamodb.destroy();
    },
  };
}
