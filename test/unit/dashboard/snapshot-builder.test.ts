import { describe, expect, it } from 'vitest';
import { CounterRate } from '../../../src/dashboard/counter-rate.ts';
import { SnapshotBuilder, type RoundInputs } from '../../../src/dashboard/snapshot-builder.ts';

const header = { streamName: 's', applicationName: 'app', intervalMs: 1000, historyMs: 60_000, since: 500 };

function round(now: number, records: number, extra: Partial<RoundInputs> = {}): RoundInputs {
  return {
    now,
    streamShards: [
      { shardId: 'shard-0', open: true, records, bytes: records * 100, checkpointLagMs: 0 },
      { shardId: 'shard-1', open: true, records: 2 * records, bytes: 0, checkpointLagMs: undefined },
    ],
    readTip: true,
    leases: [
      { shardId: 'shard-0', owner: 'remote', leaseCounter: 3, checkpoint: '10', checkpointSeenAt: now - 500, throughputKBps: 4 },
      { shardId: 'shard-1', owner: 'local', leaseCounter: 7, checkpoint: '20', checkpointSeenAt: now - 100, throughputKBps: undefined },
      { shardId: 'shard-gone', owner: undefined, leaseCounter: 1, checkpoint: 'SHARD_END', checkpointSeenAt: now, throughputKBps: undefined },
    ],
    moves: [],
    reads: new Map([['shard-1', { total: 50, perSec: 5 }]]),
    workers: [{ workerId: 'local', recordsPerSec: 5, errors: 2, millisBehindLatest: { 'shard-1': 1200 } }],
    producer: undefined,
    problems: [],
    ...extra,
  };
}

describe('the snapshot the page draws', () => {
  it('joins the stream, the lease table and the consumers of this process per shard', () => {
    const builder = new SnapshotBuilder(header);
    builder.build(round(1000, 0));
    const snapshot = builder.build(round(3000, 100));
    expect(snapshot.shards.map((s) => s.shardId)).toEqual(['shard-0', 'shard-1', 'shard-gone']);
    const [s0, s1, gone] = snapshot.shards;
    expect(s0).toMatchObject({ writeRecordsPerSec: 50, writeBytesPerSec: 5000, writtenRecords: 100, owner: 'remote', readKBps: 4, checkpointAgeMs: 500, checkpointLagMs: 0, millisBehindLatest: undefined, readRecordsPerSec: undefined });
    expect(s1).toMatchObject({ writeRecordsPerSec: 100, owner: 'local', readRecordsPerSec: 5, readRecords: 50, millisBehindLatest: 1200, leaseCounter: 7 });
    expect(gone).toMatchObject({ open: false, writeRecordsPerSec: undefined, owner: undefined });
  });

  it('derives the rate of a worker of another process from the shards it holds; a worker of this process reports its own', () => {
    const builder = new SnapshotBuilder(header);
    builder.build(round(1000, 0));
    const snapshot = builder.build(round(2000, 30));
    expect(snapshot.workers).toEqual([
      { workerId: 'local', leases: 1, recordsPerSec: 5, errors: 2, source: 'process' },
      { workerId: 'remote', leases: 1, recordsPerSec: 30, errors: undefined, source: 'leases' },
    ]);
  });

  it('shows no write rate while tip reads are off, and carries the problems of the round', () => {
    const snapshot = new SnapshotBuilder(header).build(round(1000, 5, { readTip: false, problems: ['lease table: gone'] }));
    expect(snapshot.shards.every((s) => s.writeRecordsPerSec === undefined)).toBe(true);
    expect(snapshot.problems).toEqual(['lease table: gone']);
    expect(JSON.parse(JSON.stringify(snapshot))).toMatchObject({ streamName: 's', applicationName: 'app', historyMs: 60_000, since: 500 });
  });

  it('rates a counter by its change over the time between samples, the first sample reading 0', () => {
    const rate = new CounterRate();
    expect(rate.sample(10, 1000)).toBe(0);
    expect(rate.sample(30, 3000)).toBe(10);
    expect(rate.sample(30, 3000), 'no time passed').toBe(0);
    expect(rate.sample(5, 4000), 'a counter that went back (a restart) reads 0, not a negative rate').toBe(0);
  });
});
