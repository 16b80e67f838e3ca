import type { KinesisApi, StartPosition } from '../kinesis/kinesis-api.ts';
import { sleep, type Clock } from '../clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { decodeBatches, type DecodeCounts, type DecodeLimits, type ExtendedSequenceNumber, type OutsideShardAggregate } from './decode-records.ts';
import type { ConsumerRecord } from './record.ts';
import type { ShardHashRange } from './shard-hash-range.ts';
import { HashKeyCache } from '../codec/hash-key-cache.ts';
import type { Checkpointer, InitialPosition, RecordProcessor } from './processor.ts';
import { ShardReader, type ReadResult, type ShardReaderOptions } from '../kinesis/shard-reader.ts';

/** What a lease says about its shard. @internal */
export interface LeaseCheckpoint {
  checkpoint: string;
  subSequenceNumber: number;
  state?: string;
  parentShardIds: readonly string[];
  startingHashKey?: string;
  endingHashKey?: string;
}

/** What the shard consumer needs from the consumer around it. @internal */
export interface ShardConsumerDeps {
  shardId: string;
  streamName: string;
  kinesis: KinesisApi;
  clock: Clock;
  logger: Logger;
  processor: RecordProcessor;
  initialPosition: InitialPosition;
  reader: ShardReaderOptions;
  limits: DecodeLimits;
  parentPollIntervalMs: number;
  /** The lease as stored now. */
  readLease(): Promise<LeaseCheckpoint>;
  /** True when every parent lease is at SHARD_END (or gone). */
  parentsDone(parentShardIds: readonly string[]): Promise<boolean>;
  /** Writes a checkpoint fenced by the lease; rejects with LEASE_LOST when it is not ours. */
  checkpoint(sequenceNumber: string, subSequenceNumber: number, state?: string): Promise<void>;
  counts: DecodeCounts;
  onBatch(records: number, millisBehindLatest: number | undefined): void;
  onBadRecord(sequenceNumber: string, error: unknown): void;
}

const SHARD_END = 'SHARD_END';

/**
 * The work of one shard consumer, step by step; its machine (`shard-consumer.machine.ts`) runs
 * these in order and decides what happens on shutdown, lease loss and failure.
 * @internal
 */
export class ShardConsumerSteps {
  private reader: ShardReader | undefined;
  private lastDelivered: ExtendedSequenceNumber | undefined;
  private lastCheckpointed: string | undefined;
  private resumeAfter: ExtendedSequenceNumber | undefined;
  private range: ShardHashRange | undefined;
  private warnedOutsideShard = false;
  shardEndCheckpointed = false;

  constructor(private readonly deps: ShardConsumerDeps) {}

  /** Polls until every parent shard is checkpointed at SHARD_END; returns false if the shard itself is already done. */
  async waitForParents(signal: AbortSignal): Promise<boolean> {
    const lease = await this.deps.readLease();
    if (lease.checkpoint === SHARD_END) return false;
    while (!signal.aborted && !(await this.deps.parentsDone(lease.parentShardIds))) {
      await sleep(this.deps.clock, this.deps.parentPollIntervalMs);
    }
    return true;
  }

  async initialize(): Promise<void> {
    const lease = await this.deps.readLease();
    this.lastCheckpointed = lease.checkpoint;
    if (lease.startingHashKey !== undefined && lease.endingHashKey !== undefined) {
      this.range = { start: BigInt(lease.startingHashKey), end: BigInt(lease.endingHashKey), hashKeys: new HashKeyCache() };
    }
    let position: StartPosition;
    let checkpoint: ExtendedSequenceNumber | 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
    if (/^\d+$/.test(lease.checkpoint)) {
      // Read the checkpointed Kinesis record again and skip its user records up to the
      // checkpointed sub-sequence: a restart inside an aggregate resumes right after it.
      this.resumeAfter = { sequenceNumber: lease.checkpoint, subSequenceNumber: lease.subSequenceNumber };
      checkpoint = this.resumeAfter;
      position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: lease.checkpoint };
    } else if (lease.checkpoint === 'AT_TIMESTAMP' || (lease.checkpoint !== 'TRIM_HORIZON' && lease.checkpoint !== 'LATEST')) {
      const initial = this.deps.initialPosition;
      const timestamp = typeof initial === 'object' ? initial.timestamp : new Date(0);
      checkpoint = 'AT_TIMESTAMP';
      position = { type: 'AT_TIMESTAMP', timestamp };
    } else {
      checkpoint = lease.checkpoint;
      position = { type: lease.checkpoint };
    }
    this.reader = new ShardReader(this.deps.kinesis, this.deps.streamName, this.deps.shardId, this.deps.clock, this.deps.reader);
    await this.reader.start(position);
    await this.deps.processor.initialize?.({ shardId: this.deps.shardId, checkpoint, state: lease.state });
  }

  /** Reads and processes until the shard ends ('shardEnded') or `signal` stops fetching ('stopped'). */
  async process(signal: AbortSignal): Promise<'shardEnded' | 'stopped'> {
    const { deps } = this;
    const checkpointer = this.checkpointer(false);
    while (!signal.aborted) {
      const page = await this.reader!.read(signal);
      if (signal.aborted) return 'stopped';
      const batches = decodeBatches({ shardId: deps.shardId, records: page.records, after: this.resumeAfter, range: this.range }, deps.limits, deps.counts, {
        onBadRecord: deps.onBadRecord,
        onOutsideShard: (dropped) => this.droppedOutsideShard(dropped),
      });
      this.resumeAfter = undefined;
      let delivered = false;
      // One read may hold far more than one batch: each is handed over (and, with a handler,
      // checkpointed) before the next is decoded, so a read's cost stays within the limits.
      for (const records of batches) {
        delivered = true;
        await this.deliver(records, page, checkpointer, signal);
        // Drained or lease lost: the rest of the read is left undecoded, for whoever reads on from the checkpoint.
        if (signal.aborted) return 'stopped';
      }
      if (!delivered) {
        if (deps.processor.processEmptyBatches) await this.deliver([], page, checkpointer, signal);
        else deps.onBatch(0, page.millisBehindLatest);
      }
      if (page.shardEnded) return 'shardEnded';
    }
    return 'stopped';
  }

  private async deliver(records: ConsumerRecord[], page: ReadResult, checkpointer: Checkpointer, signal: AbortSignal): Promise<void> {
    const { deps } = this;
    const last = records[records.length - 1];
    if (last) this.lastDelivered = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
    await deps.processor.processRecords({ shardId: deps.shardId, records, checkpointer, millisBehindLatest: page.millisBehindLatest, signal });
    deps.onBatch(records.length, page.millisBehindLatest);
  }

  /**
   * Expected after a reshard, so one warning per shard consumer says what happens, and the
   * rest go to debug: a producer that did not send such an aggregate again lost its records
   * for every KCL reader too, and an operator should be able to find out where.
   */
  private droppedOutsideShard(dropped: OutsideShardAggregate): void {
    const context = { ...dropped, startingHashKey: this.range?.start.toString(), endingHashKey: this.range?.end.toString() };
    if (this.warnedOutsideShard) {
      this.deps.logger.debug(context, 'aggregated record outside the shard dropped');
      return;
    }
    this.warnedOutsideShard = true;
    this.deps.logger.warn(
      context,
      'an aggregated record holds user records this shard does not own (built on a stale shard map during a reshard): dropped whole, as the KCL does; its producer must send all of them again (further ones on this shard are logged at debug)',
    );
  }

  async shardEnded(): Promise<void> {
    await this.deps.processor.shardEnded({ shardId: this.deps.shardId, checkpointer: this.checkpointer(true) });
    if (!this.shardEndCheckpointed) {
      throw new KinesisActorsError(
        'SHARD_END_NOT_CHECKPOINTED',
        `the processor of ${this.deps.shardId} returned from shardEnded without checkpointing: its child shards cannot start until it does`,
      );
    }
  }

  async shutdownRequested(): Promise<void> {
    await this.deps.processor.shutdownRequested?.({ shardId: this.deps.shardId, checkpointer: this.checkpointer(false) });
  }

  async leaseLost(): Promise<void> {
    await this.deps.processor.leaseLost?.({ shardId: this.deps.shardId });
  }

  private checkpointer(atShardEnd: boolean): Checkpointer {
    return {
      checkpoint: async (record, options) => {
        const state = options?.state;
        if (atShardEnd && !record) {
          await this.deps.checkpoint(SHARD_END, 0, state);
          this.shardEndCheckpointed = true;
          return;
        }
        const target = record
          ? { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 }
          : this.lastDelivered;
        if (!target) return;
        const key = `${target.sequenceNumber}/${target.subSequenceNumber}`;
        if (key === this.lastCheckpointed && state === undefined) return;
        await this.deps.checkpoint(target.sequenceNumber, target.subSequenceNumber, state);
        this.lastCheckpointed = key;
      },
    };
  }
}
