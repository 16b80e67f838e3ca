import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { systemClock } from '../internal/clock.ts';
import { DynamoDbLeaseStore } from './dynamodb-lease-store.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { ShardReader } from '../kinesis/shard-reader.ts';

/** One row of a consumer application's lease table, as an operator reads it. */
export interface LeaseRow {
  shardId: string;
  /** Worker holding the lease, or undefined when it is free. */
  owner: string | undefined;
  /** During a KCL 3.x graceful hand-off, the old owner still finishing the shard (`checkpointOwner`). */
  handingOverFrom: string | undefined;
  leaseCounter: number;
  checkpoint: string;
  subSequenceNumber: number;
  parentShardIds: readonly string[];
  /**
   * Age of the oldest record not yet checkpointed, in ms (0 when caught up); undefined when
   * the shard is done (SHARD_END) or could not be read.
   */
  lagMs: number | undefined;
}

/**
 * Reads the lease table of `applicationName` and, per shard, how far its checkpoint is
 * behind: the age of the first record after the checkpoint.
 *
 * @example
 * for (const row of await describeLeaseTable({ kinesis, dynamodb, applicationName: 'click-counter', streamName: 'clicks' })) console.log(row);
 */
export async function describeLeaseTable(options: { kinesis: KinesisClient; dynamodb: DynamoDBClient; applicationName: string; streamName: string; now?: number }): Promise<LeaseRow[]> {
  const store = new DynamoDbLeaseStore(options.dynamodb, options.applicationName);
  const leases = await store.listLeases();
  const now = options.now ?? Date.now();
  const kinesis = new SdkKinesisApi(options.kinesis);
  const rows = await Promise.all(
    leases.map(async (lease): Promise<LeaseRow> => ({
      shardId: lease.leaseKey,
      owner: lease.leaseOwner,
      handingOverFrom: lease.checkpointOwner,
      leaseCounter: lease.leaseCounter,
      checkpoint: lease.checkpoint,
      subSequenceNumber: lease.checkpointSubSequenceNumber,
      parentShardIds: lease.parentShardIds,
      lagMs: await lagOf(kinesis, options.streamName, lease.leaseKey, lease.checkpoint, now),
    })),
  );
  return rows.sort((a, b) => a.shardId.localeCompare(b.shardId));
}

/** One record is enough to date the checkpoint, and a shard that cannot be read shows no lag rather than holding up the table. */
const lagReads = { maxRecords: 1, minTimeBetweenReadsMs: 0, idleTimeBetweenReadsMs: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 0, maxAttempts: 1 };

/** @internal */
export async function lagOf(kinesis: KinesisApi, streamName: string, shardId: string, checkpoint: string, now: number): Promise<number | undefined> {
  if (checkpoint === 'SHARD_END') return undefined;
  if (checkpoint === 'LATEST') return 0;
  try {
    const reader = new ShardReader(kinesis, streamName, shardId, systemClock, lagReads);
    await reader.start(/^\d+$/.test(checkpoint) ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint } : { type: 'TRIM_HORIZON' });
    const first = (await reader.read(new AbortController().signal)).records[0];
    return first?.ApproximateArrivalTimestamp ? Math.max(0, now - first.ApproximateArrivalTimestamp.getTime()) : 0;
  } catch {
    return undefined;
  }
}
