import { CliUsageError, parseCommand } from '../args.ts';
import { cliClients } from '../connection.ts';
import { describeLeaseTable, formatLeaseTable } from '../lease-table.ts';

/** `leases <applicationName> --stream <name>`: the lease table with owner, checkpoint and lag per shard. */
export async function leasesCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, { stream: { type: 'string' } }, ['applicationName']);
  if (!values.stream) throw new CliUsageError('--stream <name> is required: lag is measured on the stream');
  const clients = cliClients(values);
  try {
    const rows = await describeLeaseTable({ kinesis: clients.kinesis, dynamodb: clients.dynamodb, applicationName: positionals[0], streamName: values.stream });
    console.log(formatLeaseTable(rows));
  } finally {
    clients.destroy();
  }
}
