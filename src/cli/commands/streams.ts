import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { listAllShards } from '../../aws/list-shards.ts';
import { integerOption, parseCommand } from '../args.ts';
import { cliClients } from '../connection.ts';
import { progress } from '../progress.ts';

/** `create-stream <name> --shards N`: creates the stream and waits until it is ACTIVE. */
export async function createStreamCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, { shards: { type: 'string' } }, ['name']);
  const shards = integerOption('shards', values.shards, 1, 1, 10_000);
  const clients = cliClients(values);
  try {
    await clients.kinesis.send(new CreateStreamCommand({ StreamName: positionals[0], ShardCount: shards }));
    const line = progress();
    const started = Date.now();
    for (;;) {
      const { StreamDescriptionSummary: s } = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: positionals[0] }));
      if (s?.StreamStatus === 'ACTIVE') break;
      line.update(`${positionals[0]}: ${s?.StreamStatus} (${Math.round((Date.now() - started) / 1000)} s)`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    line.done(`${positionals[0]}: ACTIVE with ${shards} shard(s) on ${clients.describe}`);
  } finally {
    clients.destroy();
  }
}

/** `describe-stream <name>`: status, retention and every shard with its hash range and parents. */
export async function describeStreamCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, {}, ['name']);
  const clients = cliClients(values);
  try {
    const { StreamDescriptionSummary: s } = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: positionals[0] }));
    const shards = await listAllShards(clients.kinesis, positionals[0]);
    console.log(`${s?.StreamName}  ${s?.StreamStatus}  ${s?.OpenShardCount} open shard(s)  retention ${s?.RetentionPeriodHours} h  ${s?.StreamARN ?? ''}`);
    for (const shard of shards) {
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(Boolean).join('+');
      console.log(`  ${shard.ShardId}  ${open ? 'open  ' : 'closed'}  hash ${shard.HashKeyRange?.StartingHashKey}–${shard.HashKeyRange?.EndingHashKey}${parents ? `  parents ${parents}` : ''}`);
    }
  } finally {
    clients.destroy();
  }
}
