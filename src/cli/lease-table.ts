import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDbLeaseStore } from '../consumer/leases/dynamodb-lease-store.ts';

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
  const rows = await Promise.all(
    leases.map(async (lease): Promise<LeaseRow> => ({
      shardId: lease.leaseKey,
      owner: lease.leaseOwner,
      handingOverFrom: lease.checkpointOwner,
      leaseCounter: lease.leaseCounter,
      checkpoint: lease.checkpoint,
      subSequenceNumber: lease.checkpointSubSequenceNumber,
      parentShardIds: lease.parentShardIds,
      lagMs: await lagOf(options.kinesis, options.streamName, lease.leaseKey, lease.checkpoint, now),
    })),
  );
  return rows.sort((a, b) => a.shardId.localeCompare(b.shardId));
}

async function lagOf(kinesis: KinesisClient, streamName: string, shardId: string, checkpoint: string, now: number): Promise<number | undefined> {
  if (checkpoint === 'SHARD_END') return undefined;
  if (checkpoint === 'LATEST') return 0;
  const position = /^\d+$/.test(checkpoint)
    ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: checkpoint }
    : { ShardIteratorType: 'TRIM_HORIZON' as const };
  try {
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...position }));
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
    const first = page.Records?.[0];
    return first?.ApproximateArrivalTimestamp ? Math.max(0, now - first.ApproximateArrivalTimestamp.getTime()) : 0;
  } catch {
    return undefined;
  }
}

/** The rows as a fixed-width table; a lease in a KCL 3.x hand-off shows `new-owner (from old-owner)`. */
export function formatLeaseTable(rows: LeaseRow[]): string {
  const lines = [['shard', 'owner', 'counter', 'checkpoint', 'lag'].join('\t')];
  for (const r of rows) {
    const checkpoint = /^\d+$/.test(r.checkpoint) ? `…${r.checkpoint.slice(-10)}/${r.subSequenceNumber}` : r.checkpoint;
    const lag = r.lagMs === undefined ? '-' : r.lagMs === 0 ? 'caught up' : `${(r.lagMs / 1000).toFixed(1)} s`;
    const owner = `${r.owner ?? '(free)'}${r.handingOverFrom === undefined ? '' : ` (from ${r.handingOverFrom})`}`;
    lines.push([r.shardId, owner, String(r.leaseCounter), checkpoint, lag].join('\t'));
  }
  return columns(lines);
}

function columns(lines: string[]): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
