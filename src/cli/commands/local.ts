import { startLocalStack } from '../../testing/local-stack.ts';
import { integerOption, parseCommand } from '../args.ts';

/** `local [--port P] [--dynamodb-port Q]`: the embedded Kinesis and DynamoDB, until Ctrl-C. */
export async function localCommand(args: string[]): Promise<void> {
  const { values } = parseCommand(args, { port: { type: 'string' }, 'dynamodb-port': { type: 'string' } }, []);
  const stack = await startLocalStack({
    kinesisPort: integerOption('port', values.port, 4567, 0, 65_535),
    dynamoDbPort: integerOption('dynamodb-port', values['dynamodb-port'], 4568, 0, 65_535),
  });
  console.log(`embedded Kinesis at ${stack.kinesisEndpoint}, DynamoDB at ${stack.dynamoDbEndpoint} (in memory; Ctrl-C stops)`);
  console.log(`export KINESIS_ENDPOINT=${stack.kinesisEndpoint} DYNAMODB_ENDPOINT=${stack.dynamoDbEndpoint} AWS_REGION=us-east-1`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.close();
}
