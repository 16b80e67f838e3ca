import { systemClock } from '../internal/clock.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { listAllShards } from '../kinesis/list-shards.ts';
import { ShardReader } from '../kinesis/shard-reader.ts';
import { lagOf } from '../leases/describe-lease-table.ts';

/** What the dashboard knows of one shard of the stream. */
export interface ObservedShard {
  shardId: string;
  open: boolean;
  /** Kinesis records and data bytes seen arriving at the tip since the dashboard started. */
  records: number;
  bytes: number;
  /** Age of the oldest record after the checkpoint, from the last probe. */
  checkpointLagMs: number | undefined;
}

/** Pages as large as Kinesis gives; one call per round and shard, the round paces them. */
const tipReads = { maxRecords: 10_000, minTimeBetweenReadsMs: 0, idleTimeBetweenReadsMs: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 0, maxAttempts: 1 };
/** A shard whose tip moves faster than one page per round gets a few more calls, under the 5/s limit. */
const maxReadsPerRound = 3;
/** Parallel calls per round, so that 64 shards do not open 64 connections at once. */
const concurrency = 8;

/**
 * Follows a stream: its shards (ListShards), and what arrives at the tip of each open shard,
 * read with GetRecords from LATEST. Reading the tip reads every byte written once more: it takes
 * one GetRecords call per shard and round out of the shard's 5 per second, and its bytes out of
 * the shard's 2 MB/s of reads, both shared with polling consumers.
 */
export class StreamSource {
  private readonly shards = new Map<string, ObservedShard>();
  private readonly readers = new Map<string, ShardReader>();
  private lastListAt = -Infinity;
  private lastLagAt = -Infinity;
  private readonly never = new AbortController().signal;

  constructor(
    private readonly kinesis: KinesisApi,
    private readonly streamName: string,
    private readonly options: { readTip: boolean; listShardsIntervalMs: number; lagIntervalMs: number },
  ) {}

  /**
   * One round: lists the shards when due (the first round always; it rejects when the stream
   * cannot be listed), then reads each open shard's tip. A shard that cannot be read is skipped
   * until the next round and named in the returned problems.
   */
  async poll(now: number): Promise<string[]> {
    if (now - this.lastListAt >= this.options.listShardsIntervalMs) {
      await this.list();
      this.lastListAt = now;
    }
    if (!this.options.readTip) return [];
    const problems: string[] = [];
    await inParallel([...this.shards.values()].filter((s) => s.open), async (shard) => {
      try {
        await this.readTip(shard);
      } catch (error) {
        this.readers.delete(shard.shardId);
        problems.push(`${shard.shardId}: reading the tip failed: ${(error as Error).message}`);
      }
    });
    return problems;
  }

  /** Probes how far each checkpoint is behind, when due: one GetShardIterator and one GetRecords per shard. */
  async probeLag(checkpoints: ReadonlyMap<string, string>, now: number): Promise<void> {
    if (now - this.lastLagAt < this.options.lagIntervalMs) return;
    this.lastLagAt = now;
    await inParallel([...checkpoints], async ([shardId, checkpoint]) => {
      const shard = this.shards.get(shardId);
      if (shard) shard.checkpointLagMs = await lagOf(this.kinesis, this.streamName, shardId, checkpoint, now);
    });
  }

  view(): ObservedShard[] {
    return [...this.shards.values()];
  }

  private async list(): Promise<void> {
    const listed = await listAllShards(this.kinesis, this.streamName);
    for (const shard of listed) {
      const shardId = shard.ShardId!;
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      const known = this.shards.get(shardId);
      if (known) known.open = open;
      else this.shards.set(shardId, { shardId, open, records: 0, bytes: 0, checkpointLagMs: undefined });
    }
    const ids = new Set(listed.map((s) => s.ShardId!));
    for (const shardId of this.shards.keys()) if (!ids.has(shardId)) this.shards.delete(shardId);
  }

  private async readTip(shard: ObservedShard): Promise<void> {
    let reader = this.readers.get(shard.shardId);
    if (reader === undefined) {
      reader = new ShardReader(this.kinesis, this.streamName, shard.shardId, systemClock, tipReads);
      await reader.start({ type: 'LATEST' });
      this.readers.set(shard.shardId, reader);
      return;
    }
    for (let call = 0; call < maxReadsPerRound; call++) {
      const page = await reader.read(this.never);
      shard.records += page.records.length;
      for (const record of page.records) shard.bytes += record.Data?.byteLength ?? 0;
      if (page.shardEnded) {
        shard.open = false;
        this.readers.delete(shard.shardId);
        return;
      }
      if (page.records.length === 0 || !page.millisBehindLatest) return;
    }
  }
}

async function inParallel<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
