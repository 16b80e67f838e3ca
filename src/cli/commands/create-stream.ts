import { createStreamAndWait } from '../../kinesis/active-stream.ts';
import { CliUsageError, integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { progress } from '../progress.ts';

/**
 * `create-stream <name> [--shards N | --on-demand] [--max-record-size KiB]`: creates the stream
 * and waits until it is ACTIVE.
 */
export const createStreamCommand = defineCommand({
  name: 'create-stream',
  positionals: ['name'],
  summary: 'create a stream and wait until it is ACTIVE',
  options: {
    shards: { type: 'string', value: 'n', defaultText: '1', help: 'number of shards of a provisioned stream, 1 to 10000' },
    'on-demand': { type: 'boolean', defaultText: 'off', help: 'an on-demand stream, which Kinesis scales itself (instead of --shards)' },
    'max-record-size': { type: 'string', value: 'KiB', defaultText: '1024', help: 'largest record the stream takes, 1024 to 10240 KiB (10 MiB)' },
    ...connectionOptions,
  },
  async run(values, [name]) {
    const onDemand = values['on-demand'] === true;
    if (onDemand && values.shards !== undefined) throw new CliUsageError('give --shards or --on-demand, not both: an on-demand stream has no shard count to choose');
    const shards = integerOption('shards', values.shards ?? '1', 1, 10_000);
    const maxRecordSizeInKiB = values['max-record-size'] === undefined ? undefined : integerOption('max-record-size', values['max-record-size'], 1024, 10_240);
    const clients = cliClients(values);
    try {
      const line = progress();
      const started = Date.now();
      await createStreamAndWait(clients.kinesisApi, name, { shardCount: shards, onDemand, maxRecordSizeInKiB }, {
        pollMs: 500,
        onStatus: (status) => line.update(`${name}: ${status} (${Math.round((Date.now() - started) / 1000)} s)`),
      });
      const { OpenShardCount, MaxRecordSizeInKiB } = await clients.kinesisApi.describeStreamSummary(name);
      const mode = onDemand ? ' (on-demand)' : '';
      line.done(`${name}: ACTIVE with ${OpenShardCount ?? shards} shard(s)${mode}, records up to ${MaxRecordSizeInKiB ?? 1024} KiB, on ${clients.describe}`);
    } finally {
      clients.destroy();
    }
  },
});
