import { CliUsageError } from './args.ts';
import { leasesCommand } from './commands/leases.ts';
import { localCommand } from './commands/local.ts';
import { putCommand } from './commands/put.ts';
import { createStreamCommand, describeStreamCommand } from './commands/streams.ts';
import { tailCommand } from './commands/tail.ts';

const usage = `kinesis-actors <command> [options]

  local [--port 4567] [--dynamodb-port 4568]      run the embedded Kinesis and DynamoDB until Ctrl-C
  create-stream <name> [--shards 1]               create a stream, wait until ACTIVE
  describe-stream <name>                          status and shards (hash ranges, parents)
  leases <applicationName> --stream <name>        a consumer's lease table: owner, checkpoint, lag per shard
  put <stream> <file> [--partition-key K | --partition-key-field F]
                                                  put every line of a file through the producer
  tail <stream> [--from latest|trim-horizon] [--max N]
                                                  print user records (de-aggregated, decompressed)

Every command takes --endpoint URL, --dynamodb-endpoint URL and --region R (or KINESIS_ENDPOINT,
DYNAMODB_ENDPOINT, AWS_REGION); with no endpoint it talks to AWS with the default credentials.`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  local: localCommand,
  'create-stream': createStreamCommand,
  'describe-stream': describeStreamCommand,
  leases: leasesCommand,
  put: putCommand,
  tail: tailCommand,
};

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage);
} else if (!commands[name]) {
  console.error(`unknown command "${name}"\n\n${usage}`);
  process.exitCode = 2;
} else {
  try {
    await commands[name](args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`kinesis-actors ${name}: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else {
      const e = error as { name?: string; message?: string };
      console.error(`kinesis-actors ${name}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
      process.exitCode = 1;
    }
  }
}
