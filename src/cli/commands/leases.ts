import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { describeLeaseTable } from '../../leases/describe-lease-table.ts';
import { formatLeaseTable } from '../format-lease-table.ts';

/** `leases <applicationName> --stream <name>`: the lease table with owner, checkpoint and lag per shard. */
export const leasesCommand = defineCommand({
  name: 'leases',
  positionals: ['applicationName'],
  summary: "show a consumer application's lease table: owner, counter, checkpoint, lag per shard",
  options: {
    stream: { type: 'string', value: 'name', required: true, help: 'the stream the application consumes; lag is measured on it' },
    ...connectionOptions,
  },
  async run(values, [applicationName]) {
    const clients = cliClients(values);
    try {
      const rows = await describeLeaseTable({ kinesis: clients.kinesis, dynamodb: clients.dynamodb, applicationName, streamName: values.stream });
      console.log(formatLeaseTable(rows));
    } finally {
      clients.destroy();
    }
  },
});
