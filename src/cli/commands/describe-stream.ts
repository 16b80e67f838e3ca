import { listAllShards } from '../../kinesis/list-shards.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { consumerLines } from './consumers.ts';
import { streamArgument } from '../stream-argument.ts';

/** `describe-stream <name>`: status, retention, every shard with its hash range and parents, and the registered consumers. */
export const describeStreamCommand = defineCommand({
  name: 'describe-stream',
  positionals: ['name'],
  summary: 'show a stream: status, retention, shards with hash ranges and parents, registered consumers',
  options: { ...connectionOptions },
  async run(values, [name]) {
    const { stream } = streamArgument(name);
    const clients = cliClients(values);
    try {
      const s = await clients.kinesisApi.describeStreamSummary(stream);
      const shards = await listAllShards(clients.kinesisApi, stream);
      const mode = s.StreamModeDetails?.StreamMode === 'ON_DEMAND' ? '  on-demand' : '';
      console.log(`${s.StreamName}  ${s.StreamStatus}  ${s.OpenShardCount} open shard(s)${mode}  retention ${s.RetentionPeriodHours} h  records up to ${s.MaxRecordSizeInKiB ?? 1024} KiB  ${s.StreamARN ?? ''}`);
      for (const shard of shards) {
        const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(Boolean).join('+');
        console.log(`  ${shard.ShardId}  ${open ? 'open  ' : 'closed'}  hash ${shard.HashKeyRange?.StartingHashKey}–${shard.HashKeyRange?.EndingHashKey}${parents ? `  parents ${parents}` : ''}`);
      }
      // Without a StreamARN (kinesalite) there are no stream consumers to list.
      if (s.StreamARN) {
        const consumers = await clients.kinesisApi.listStreamConsumers(s.StreamARN).catch((error: Error) => error);
        if (consumers instanceof Error) console.log(`  consumers: not listed (${consumers.message})`);
        else for (const line of consumerLines(consumers)) console.log(`  consumer ${line}`);
      }
    } finally {
      clients.destroy();
    }
  },
});
