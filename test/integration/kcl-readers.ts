import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

// Readers that are not this framework, to check what other consumers of a stream see: plain
// aws-kinesis-agg, and aws-kinesis-agg under the KCL's rule for aggregates (AggregatorUtil
// drops an aggregated record whole as soon as one user record's hash key is outside the shard).

const require = createRequire(import.meta.url);
type AggUserRecord = { partitionKey: string; explicitPartitionKey?: string; data: string };
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: object, checksums: boolean, done: (err: Error | null, records?: AggUserRecord[]) => void): void;
};

const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

/** One shard, every Kinesis record in it from TRIM_HORIZON, and the hash keys it owns. */
export interface RawShard {
  shardId: string;
  start: bigint;
  end: bigint;
  records: _Record[];
}

/** Reads every shard of the stream (parents and children) with plain GetRecords. */
export async function readRawShards(kinesis: KinesisClient, streamName: string): Promise<RawShard[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out: RawShard[] = [];
  for (const shard of Shards) {
    const raw: RawShard = {
      shardId: shard.ShardId!,
      start: BigInt(shard.HashKeyRange!.StartingHashKey!),
      end: BigInt(shard.HashKeyRange!.EndingHashKey!),
      records: [],
    };
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: raw.shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      raw.records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
    out.push(raw);
  }
  return out;
}

function hashKey(user: AggUserRecord): bigint {
  if (user.explicitPartitionKey) return BigInt(user.explicitPartitionKey);
  return BigInt(`0x${createHash('md5').update(user.partitionKey, 'utf8').digest('hex')}`);
}

function userRecords(record: _Record): { aggregated: boolean; users: AggUserRecord[] } {
  const data = Buffer.from(record.Data!);
  let users: AggUserRecord[] = [];
  agg.deaggregateSync({ data: data.toString('base64'), partitionKey: record.PartitionKey, sequenceNumber: record.SequenceNumber }, true, (err, out) => {
    if (err) throw err;
    users = out ?? [];
  });
  return { aggregated: data.subarray(0, 4).equals(KPL_MAGIC), users };
}

/**
 * The user records' data each reader sees, in shard order: `'plain'` keeps everything
 * aws-kinesis-agg de-aggregates; `'kcl'` drops an aggregate whole when any of its user records
 * hashes outside the shard it was read from (a record that is not aggregated is always kept).
 */
export function readWithAwsKinesisAgg(shards: readonly RawShard[], rule: 'plain' | 'kcl'): Buffer[] {
  const out: Buffer[] = [];
  for (const shard of shards) {
    for (const record of shard.records) {
      const { aggregated, users } = userRecords(record);
      if (rule === 'kcl' && aggregated && users.some((u) => hashKey(u) < shard.start || hashKey(u) > shard.end)) continue;
      for (const user of users) out.push(Buffer.from(user.data, 'base64'));
    }
  }
  return out;
}
