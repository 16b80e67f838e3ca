import { createStreamAndWait } from '../../kinesis/active-stream.ts';
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
      const line = progress();
      const started = Date.now();
      await createStreamAndWait(clients.kinesisApi, name, shards, {
        pollMs: 500,
        onStatus: (status) => line.update(`${name}: ${status} (${Math.round((Date.now() - started) / 1000)} s)`),
      });
      line.done(`${name}: ACTIVE with ${shards} shard(s) on ${clients.describe}`);
    } finally {
      clients.destroy();
    }
  },
});
