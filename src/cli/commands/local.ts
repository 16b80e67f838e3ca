import { startLocalStack } from '../../testing/local-stack.ts';
import { integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';

/**
 * `local [--port P] [--dynamodb-port Q]`: the embedded Kinesis and DynamoDB, until Ctrl-C. It
 * takes no connection options: it is what the other commands connect to.
 */
export const localCommand = defineCommand({
  name: 'local',
  positionals: [],
  summary: 'run the embedded Kinesis and DynamoDB (in memory) until Ctrl-C',
  options: {
    port: { type: 'string', value: 'port', default: '4567', help: 'port of the embedded Kinesis (0: any free port)' },
    'dynamodb-port': { type: 'string', value: 'port', default: '4568', help: 'port of the embedded DynamoDB (0: any free port)' },
  },
  async run(values) {
    const stack = await startLocalStack({
      kinesisPort: integerOption('port', values.port, 0, 65_535),
      dynamoDbPort: integerOption('dynamodb-port', values['dynamodb-port'], 0, 65_535),
    });
    console.log(`embedded Kinesis at ${stack.kinesisEndpoint}, DynamoDB at ${stack.dynamoDbEndpoint} (in memory; Ctrl-C stops)`);
    console.log(`export KINESIS_ENDPOINT=${stack.kinesisEndpoint} DYNAMODB_ENDPOINT=${stack.dynamoDbEndpoint} AWS_REGION=us-east-1`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stack.close();
  },
});
