import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createDynamoDbClient, createKinesisClient, type AwsConnection } from '../aws/clients.ts';
import type { OptionSpecs } from './command.ts';

/** Options every command that talks to Kinesis or DynamoDB takes: where they are. */
export const connectionOptions = {
  endpoint: { type: 'string', value: 'url', env: 'KINESIS_ENDPOINT', defaultText: 'AWS', help: 'Kinesis endpoint, e.g. an emulator, used with dummy credentials' },
  'dynamodb-endpoint': { type: 'string', value: 'url', env: 'DYNAMODB_ENDPOINT', defaultText: 'AWS', help: 'DynamoDB endpoint (lease tables), used with dummy credentials' },
  region: {
    type: 'string',
    value: 'region',
    env: 'AWS_REGION',
    defaultText: '$AWS_DEFAULT_REGION, else us-east-1 with an endpoint, else the AWS config',
    help: 'AWS region',
  },
} as const satisfies OptionSpecs;

/** The clients of one command. */
export interface CliClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  describe: string;
  destroy(): void;
}

/**
 * The clients for parsed {@link connectionOptions} (their environment variables already applied).
 * With an endpoint (an emulator), local dummy credentials; without, the real AWS endpoint of
 * the region and the SDK's default credential chain.
 */
export function cliClients(values: { endpoint: string | undefined; 'dynamodb-endpoint': string | undefined; region: string | undefined }): CliClients {
  const kinesisEndpoint = values.endpoint;
  const region = values.region ?? process.env.AWS_DEFAULT_REGION ?? (kinesisEndpoint ? 'us-east-1' : undefined);
  const local = { accessKeyId: 'local', secretAccessKey: 'local' };
  const connection = (endpoint: string | undefined): AwsConnection => ({ region, ...(endpoint ? { endpoint, credentials: local } : {}) });
  const kinesis = createKinesisClient(connection(kinesisEndpoint));
  const dynamodb = createDynamoDbClient(connection(values['dynamodb-endpoint']));
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
