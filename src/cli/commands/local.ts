import { KinesisActorsError } from '../../errors.ts';
import { startLocalS3, type LocalS3 } from '../../testing/local-s3.ts';
import { startLocalStack } from '../../testing/local-stack.ts';
import { integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';

/** The embedded S3 when its optional peer (s3rver) is installed; undefined, with a note, when not. */
async function startS3IfInstalled(port: number): Promise<LocalS3 | undefined> {
  try {
    return await startLocalS3({ port });
  } catch (error) {
    if (!(error instanceof KinesisActorsError && error.code === 'MISSING_DEPENDENCY')) throw error;
    console.log(`no embedded S3: ${error.message}`);
    return undefined;
  }
}

/**
 * `local [--port P] [--dynamodb-port Q] [--s3-port R]`: the embedded Kinesis and DynamoDB,
 * and S3 when s3rver is installed, until Ctrl-C. It takes no connection options: it is what
 * the other commands connect to.
 */
export const localCommand = defineCommand({
  name: 'local',
  positionals: [],
  summary: 'run the embedded Kinesis and DynamoDB (in memory), and S3 if s3rver is installed, until Ctrl-C',
  options: {
    port: { type: 'string', value: 'port', default: '4567', help: 'port of the embedded Kinesis (0: any free port)' },
    'dynamodb-port': { type: 'string', value: 'port', default: '4568', help: 'port of the embedded DynamoDB (0: any free port)' },
    's3-port': { type: 'string', value: 'port', default: '4569', help: 'port of the embedded S3, when s3rver is installed (0: any free port)' },
  },
  async run(values) {
    const stack = await startLocalStack({
      kinesisPort: integerOption('port', values.port, 0, 65_535),
      dynamoDbPort: integerOption('dynamodb-port', values['dynamodb-port'], 0, 65_535),
    });
    const s3Port = integerOption('s3-port', values['s3-port'], 0, 65_535);
    const s3 = await startS3IfInstalled(s3Port);
    console.log(`embedded Kinesis at ${stack.kinesisEndpoint}, DynamoDB at ${stack.dynamoDbEndpoint} (in memory; Ctrl-C stops)`);
    if (s3) console.log(`embedded S3 at ${s3.endpoint} (objects in ${s3.directory}, removed on exit; path-style, any credentials)`);
    const s3Export = s3 ? ` AWS_ENDPOINT_URL_S3=${s3.endpoint}` : '';
    console.log(`export KINESIS_ENDPOINT=${stack.kinesisEndpoint} DYNAMODB_ENDPOINT=${stack.dynamoDbEndpoint}${s3Export} AWS_REGION=us-east-1`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.all([stack.close(), s3?.close()]);
  },
});
