import { systemClock } from '../../internal/clock.ts';
import type { KinesisApi } from '../../kinesis/kinesis-api.ts';
import { listAllShards } from '../../kinesis/list-shards.ts';
import { ShardReader } from '../../kinesis/shard-reader.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../../codec/envelope.ts';
import { decodeKinesisRecord } from '../../codec/kinesis-record.ts';
import { integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { streamArgument } from '../stream-argument.ts';
import type { StreamIdentity } from '../../kinesis/stream-identity.ts';

/**
 * `tail <stream|arn> [--from latest|trim-horizon] [--max N]`: every user record of every shard,
 * de-aggregated and decompressed, one line each on stdout, until --max records or Ctrl-C.
 */
export const tailCommand = defineCommand({
  name: 'tail',
  positionals: ['stream'],
  summary: 'print user records of every shard (de-aggregated, decompressed) until --max or Ctrl-C',
  options: {
    from: { type: 'string', choices: ['latest', 'trim-horizon'], default: 'latest', help: 'where each shard starts: new records only, or the oldest kept' },
    max: { type: 'string', value: 'n', defaultText: 'no limit', help: 'stop after this many records' },
    ...connectionOptions,
  },
  async run(values, [streamArg]) {
    const { streamName, stream } = streamArgument(streamArg);
    const max = values.max === undefined ? Number.MAX_SAFE_INTEGER : integerOption('max', values.max, 1, Number.MAX_SAFE_INTEGER);
    const clients = cliClients(values);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    let printed = 0;
    try {
      const shards = await listAllShards(clients.kinesisApi, stream);
      process.stderr.write(`tailing ${streamName} (${shards.length} shards) from ${values.from} on ${clients.describe}\n`);
      const type = values.from === 'latest' ? 'LATEST' : 'TRIM_HORIZON';
      const emit = (data: Uint8Array) => {
        if (printed >= max) return false;
        process.stdout.write(Buffer.from(data).toString('utf8') + '\n');
        if (++printed >= max) stop.abort();
        return true;
      };
      await Promise.all(shards.map((shard) => tailShard(clients.kinesisApi, stream, shard.ShardId!, type, emit, stop.signal)));
    } finally {
      clients.destroy();
    }
  },
});

/** A failing read ends the tail with its error, for the operator to see, rather than waiting on it. */
const reads = { maxRecords: 1000, minTimeBetweenReadsMs: 0, idleTimeBetweenReadsMs: 500, retryBaseDelayMs: 100, retryMaxDelayMs: 5000, maxAttempts: 1 };

async function tailShard(kinesis: KinesisApi, stream: StreamIdentity, shardId: string, type: 'LATEST' | 'TRIM_HORIZON', emit: (data: Uint8Array) => boolean, signal: AbortSignal): Promise<void> {
  const reader = new ShardReader(kinesis, stream, shardId, systemClock, reads);
  await reader.start({ type });
  while (!signal.aborted) {
    const page = await reader.read(signal);
    for (const record of page.records) {
      const decoded = decodeKinesisRecord(record.Data!, record.PartitionKey!, undefined, DEFAULT_MAX_INFLATED_BYTES);
      for (const user of decoded.records) if (!emit(user.data)) return;
    }
    if (page.shardEnded) return;
  }
}
