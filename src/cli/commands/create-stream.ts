import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { progress } from '../progress.ts';

/** `create-stream <name> [--shards N]`: creates the stream and waits until it is ACTIVE. */
export const createStreamCommand = defineCommand({
  name: 'create-stream',
  positionals: ['name'],
  summary: 'create a stream and wait until it is ACTIVE',
  options: {
    shards: { type: 'string', value: 'n', default: '1', help: 'number of shards, 1 to 10000' },
    ...connectionOptions,
  },
  async run(values, [name]) {
    const shards = integerOption('shards', values.shards, 1, 10_000);
    const clients = cliClients(values);
    try {
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      const line = progress();
      const started = Date.now();
      for (;;) {
        const { StreamDescriptionSummary: s } = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (s?.StreamStatus === 'ACTIVE') break;
        line.update(`${name}: ${s?.StreamStatus} (${Math.round((Date.now() - started) / 1000)} s)`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      line.done(`${name}: ACTIVE with ${shards} shard(s) on ${clients.describe}`);
    } finally {
      clients.destroy();
    }
  },
});
