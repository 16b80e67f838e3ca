import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createDynamoDbClient, createKinesisClient } from '../aws/clients.ts';
import type { AwsConnection } from '../aws/connection.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import type { OptionSpecs } from './command.ts';

/** Options every command that talks to Kinesis or DynamoDB takes: where they are. */
export const connectionOptions = {
  endpoint: {
    type: 'string',
    value: 'url',
    env: 'KINESIS_ENDPOINT',
    defaultText: "the SDK's $AWS_ENDPOINT_URL_KINESIS or $AWS_ENDPOINT_URL, else AWS",
    help: 'Kinesis endpoint, e.g. an emulator, used with dummy credentials',
  },
  'dynamodb-endpoint': {
    type: 'string',
    value: 'url',
    env: 'DYNAMODB_ENDPOINT',
    defaultText: "the SDK's $AWS_ENDPOINT_URL_DYNAMODB or $AWS_ENDPOINT_URL, else AWS",
    help: 'DynamoDB endpoint (lease tables), used with dummy credentials',
  },
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
  /** For the producer and the lease table, which take an SDK client. */
  kinesis: KinesisClient;
  /** The same client behind the Kinesis boundary, for the commands that call Kinesis themselves. */
  kinesisApi: KinesisApi;
  dynamodb: DynamoDBClient;
  describe: string;
  destroy(): void;
}

/**
 * The clients for parsed {@link connectionOptions} (their environment variables already applied).
 * An endpoint given as an option (or KINESIS_ENDPOINT / DYNAMODB_ENDPOINT) is an emulator's,
 * used with local dummy credentials. Without one, the SDK resolves the endpoint as it does for
 * every AWS tool (`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`,
 * the AWS config file, else the region's) with the default credential chain.
 */
export function cliClients(
  values: { endpoint: string | undefined; 'dynamodb-endpoint': string | undefined; region: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): CliClients {
  const kinesisEndpoint = values.endpoint;
  const dynamoDbEndpoint = values['dynamodb-endpoint'];
  const sdkVariable = ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL'].find((name) => env[name]);
  const anyEndpoint = kinesisEndpoint ?? dynamoDbEndpoint ?? env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const region = values.region ?? env.AWS_DEFAULT_REGION ?? (anyEndpoint ? 'us-east-1' : undefined);
  const local = { accessKeyId: 'local', secretAccessKey: 'local' };
  const connection = (endpoint: string | undefined): AwsConnection => ({ region, ...(endpoint ? { endpoint, credentials: local } : {}) });
  const kinesis = createKinesisClient(connection(kinesisEndpoint));
  const dynamodb = createDynamoDbClient(connection(dynamoDbEndpoint));
  let describe = `AWS ${region ?? '(default region)'}`;
  if (kinesisEndpoint) describe = `Kinesis at ${kinesisEndpoint}`;
  else if (sdkVariable) describe = `Kinesis at ${env[sdkVariable]} (${sdkVariable})`;
  return {
    kinesis,
    kinesisApi: new SdkKinesisApi(kinesis),
    dynamodb,
    describe,
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
    },
  };
}
