import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createDynamoDbClient, createKinesisClient, type AwsConnection } from '../aws/clients.ts';

/** The clients of one command, from --endpoint/--dynamodb-endpoint/--region or the environment. */
export interface CliClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  describe: string;
  destroy(): void;
}

/**
 * With an endpoint (an emulator), local dummy credentials; without, the real AWS endpoint of
 * the region and the SDK's default credential chain.
 */
export function cliClients(values: { endpoint?: string; 'dynamodb-endpoint'?: string; region?: string }): CliClients {
  const env = process.env;
  const kinesisEndpoint = values.endpoint ?? env.KINESIS_ENDPOINT;
  const dynamoEndpoint = values['dynamodb-endpoint'] ?? env.DYNAMODB_ENDPOINT;
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (kinesisEndpoint ? 'us-east-1' : undefined);
  const local = { accessKeyId: 'local', secretAccessKey: 'local' };
  const connection = (endpoint: string | undefined): AwsConnection => ({ region, ...(endpoint ? { endpoint, credentials: local } : {}) });
  const kinesis = createKinesisClient(connection(kinesisEndpoint));
  const dynamodb = createDynamoDbClient(connection(dynamoEndpoint));
  return {
    kinesis,
    dynamodb,
    describe: kinesisEndpoint ? `Kinesis at ${kinesisEndpoint}` : `AWS ${region ?? '(default region)'}`,
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
    },
  };
}
