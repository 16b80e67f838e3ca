import { CounterRate } from './counter-rate.ts';
import type { ObservedLease } from './lease-source.ts';
import type { SampledWorker } from './process-source.ts';
import type { DashboardSnapshot, LeaseMove, ProducerView, ShardView, WorkerView } from './snapshot.ts';
import type { ObservedShard } from './stream-source.ts';

/** What one round gathered from the sources. */
export interface RoundInputs {
  now: number;
  streamShards: readonly ObservedShard[];
  readTip: boolean;
  leases: readonly ObservedLease[];
  moves: readonly LeaseMove[];
  reads: ReadonlyMap<string, { total: number; perSec: number }>;
  workers: readonly SampledWorker[];
  producer: ProducerView | undefined;
  problems: string[];
}

/**
 * Joins the sources into the snapshot the page draws: one row per shard (the stream's shards
 * and any lease of a shard the stream no longer lists), one per worker (the consumers of this
 * process, and every other owner named in the lease table, whose rate is derived from the
 * shards it holds), keeping the rate counters from round to round.
 */
export class SnapshotBuilder {
  private readonly writeRecords = new Map<string, CounterRate>();
  private readonly writeBytes = new Map<string, CounterRate>();

  constructor(private readonly header: { streamName: string; applicationName: string; intervalMs: number; historyMs: number; since: number }) {}

  build(round: RoundInputs): DashboardSnapshot {
    const leases = new Map(round.leases.map((l) => [l.shardId, l]));
    const streamShards = new Map(round.streamShards.map((s) => [s.shardId, s]));
    const lag = new Map<string, number>();
    for (const w of round.workers) for (const [shardId, ms] of Object.entries(w.millisBehindLatest)) lag.set(shardId, ms);
    const ids = [...new Set([...streamShards.keys(), ...leases.keys()])].sort();
    const shards = ids.map((shardId): ShardView => {
      const s = streamShards.get(shardId);
      const lease = leases.get(shardId);
      const read = round.reads.get(shardId);
      return {
        shardId,
        open: s?.open ?? false,
        writeRecordsPerSec: s && round.readTip ? rateOf(this.writeRecords, shardId, s.records, round.now) : undefined,
        writeBytesPerSec: s && round.readTip ? rateOf(this.writeBytes, shardId, s.bytes, round.now) : undefined,
        writtenRecords: s?.records ?? 0,
        readRecordsPerSec: read?.perSec,
        readRecords: read?.total ?? 0,
        readKBps: lease?.throughputKBps,
        millisBehindLatest: lag.get(shardId),
        checkpointLagMs: s?.checkpointLagMs,
        checkpointAgeMs: lease ? round.now - lease.checkpointSeenAt : undefined,
        checkpoint: lease?.checkpoint,
        owner: lease?.owner,
        leaseCounter: lease?.leaseCounter,
      };
    });
    const { streamName, applicationName, intervalMs, historyMs, since } = this.header;
    return { streamName, applicationName, intervalMs, historyMs, since, at: round.now, shards, workers: this.workers(round, shards), moves: [...round.moves], producer: round.producer, problems: round.problems };
  }

  private workers(round: RoundInputs, shards: readonly ShardView[]): WorkerView[] {
    // Leases are counted from the owners the shard rows show, so that the two tables agree.
    const held = (workerId: string) => shards.filter((s) => s.owner === workerId).length;
    const views: WorkerView[] = round.workers.map((w) => ({ workerId: w.workerId, leases: held(w.workerId), recordsPerSec: w.recordsPerSec, errors: w.errors, source: 'process' }));
    const inProcess = new Set(views.map((w) => w.workerId));
    const byOwner = new Map<string, ShardView[]>();
    for (const shard of shards) {
      if (shard.owner === undefined || inProcess.has(shard.owner)) continue;
      byOwner.set(shard.owner, [...(byOwner.get(shard.owner) ?? []), shard]);
    }
    for (const [workerId, held] of byOwner) {
      // A worker that keeps up reads what is written to its shards.
      const recordsPerSec = held.reduce((sum, s) => sum + (s.writeRecordsPerSec ?? 0), 0);
      views.push({ workerId, leases: held.length, recordsPerSec, errors: undefined, source: 'leases' });
    }
    return views.sort((a, b) => a.workerId.localeCompare(b.workerId));
  }
}

function rateOf(rates: Map<string, CounterRate>, shardId: string, value: number, now: number): number {
  let rate = rates.get(shardId);
  if (rate === undefined) rates.set(shardId, (rate = new CounterRate()));
  return rate.sample(value, now);
}
