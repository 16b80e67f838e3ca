import type { KinesisApi, StartPosition } from '../kinesis/kinesis-api.ts';
import { sleep, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { decodeBatches, type DecodeCounts, type DecodeLimits, type ExtendedSequenceNumber, type OutsideShardAggregate } from './decode-records.ts';
import type { ConsumerRecord } from './record.ts';
import type { ShardHashRange } from './shard-hash-range.ts';
import { HashKeyCache } from '../codec/hash-key-cache.ts';
import type { Checkpointer, InitialPosition, RecordProcessor } from './processor.ts';
import { ShardReader, type ReadResult, type ShardReaderOptions } from '../kinesis/shard-reader.ts';
import { FanOutReader } from '../kinesis/fan-out-reader.ts';
import type { ShardRecordsReader } from '../kinesis/shard-records-reader.ts';
import type { FanOutReading } from './fan-out-retrieval.ts';
import type { LeaseHandle } from '../leases/lease-handle.ts';
import { ShardCheckpointer, type CheckpointReport } from './shard-checkpointer.ts';

/** What a shard consumer reports to the consumer's metrics and events. @internal */
export interface ShardConsumerReport extends CheckpointReport {
  batch(records: number, millisBehindLatest: number | undefined): void;
  badRecord(sequenceNumber: string, error: unknown): void;
}

/** What the shard consumer needs from the consumer around it. @internal */
export interface ShardConsumerDeps {
  streamName: string;
  kinesis: KinesisApi;
  clock: Clock;
  logger: Logger;
  processor: RecordProcessor;
  initialPosition: InitialPosition;
  reader: ShardReaderOptions;
  /** Read by enhanced fan-out instead of polling. */
  fanOut?: FanOutReading | undefined;
  limits: DecodeLimits;
  parentPollIntervalMs: number;
  /** The shard's lease, for the whole life of the shard consumer. */
  lease: LeaseHandle;
  counts: DecodeCounts;
  report: ShardConsumerReport;
}

const SHARD_END = 'SHARD_END';

/**
 * The work of one shard consumer, step by step; its machine (`shard-consumer.machine.ts`) runs
 * these in order and decides what happens on shutdown, lease loss and failure.
 * @internal
 */
export class ShardConsumerSteps {
  private reader: ShardRecordsReader | undefined;
  private readonly checkpoints: ShardCheckpointer;
  private resumeAfter: ExtendedSequenceNumber | undefined;
  private range: ShardHashRange | undefined;
  private warnedOutsideShard = false;

  constructor(private readonly deps: ShardConsumerDeps) {
    this.checkpoints = new ShardCheckpointer(deps.lease, deps.report);
  }

  /** Polls until every parent shard is checkpointed at SHARD_END; returns false if the shard itself is already done. */
  async waitForParents(signal: AbortSignal): Promise<boolean> {
    const lease = await this.deps.lease.read();
    if (lease.checkpoint === SHARD_END) return false;
    while (!signal.aborted && !(await this.deps.lease.parentsDone())) {
      await sleep(this.deps.clock, this.deps.parentPollIntervalMs);
    }
    return true;
  }

  async initialize(): Promise<void> {
    const lease = await this.deps.lease.read();
    this.checkpoints.resumeFrom(lease.checkpoint);
    if (lease.startingHashKey !== undefined && lease.endingHashKey !== undefined) {
      this.range = { start: BigInt(lease.startingHashKey), end: BigInt(lease.endingHashKey), hashKeys: new HashKeyCache() };
    }
    // A plain string narrows to the sentinels below; a `Checkpoint` keeps its `string & {}`.
    const at: string = lease.checkpoint;
    let position: StartPosition;
    let checkpoint: ExtendedSequenceNumber | 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
    if (/^\d+$/.test(at)) {
      // Read the checkpointed Kinesis record again and skip its user records up to the
      // checkpointed sub-sequence: a restart inside an aggregate resumes right after it.
      this.resumeAfter = { sequenceNumber: at, subSequenceNumber: lease.checkpointSubSequenceNumber };
      checkpoint = this.resumeAfter;
      position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: at };
    } else if (at === 'AT_TIMESTAMP' || (at !== 'TRIM_HORIZON' && at !== 'LATEST')) {
      const initial = this.deps.initialPosition;
      const timestamp = typeof initial === 'object' ? initial.timestamp : new Date(0);
      checkpoint = 'AT_TIMESTAMP';
      position = { type: 'AT_TIMESTAMP', timestamp };
    } else {
      checkpoint = at;
      position = { type: at };
    }
    const { kinesis, streamName, clock, fanOut } = this.deps;
    const shardId = this.deps.lease.shardId;
    this.reader = fanOut
      ? new FanOutReader(kinesis, fanOut.consumerArn, shardId, clock, this.deps.logger, fanOut.options)
      : new ShardReader(kinesis, streamName, shardId, clock, this.deps.reader);
    await this.reader.start(position);
    await this.deps.processor.initialize?.({ shardId: this.deps.lease.shardId, checkpoint, state: lease.checkpointState });
  }

  /** Reads and processes until the shard ends ('shardEnded') or `signal` stops fetching ('stopped'). */
  async process(signal: AbortSignal): Promise<'shardEnded' | 'stopped'> {
    try {
      return await this.readAndProcess(signal);
    } finally {
      // A fan-out subscription ends with the loop, whatever ended it.
      await this.reader?.close?.();
    }
  }

  private async readAndProcess(signal: AbortSignal): Promise<'shardEnded' | 'stopped'> {
    const { deps } = this;
    const checkpointer = this.checkpoints.checkpointer(false);
    while (!signal.aborted) {
      const page = await this.reader!.read(signal);
      if (signal.aborted) return 'stopped';
      deps.lease.recordBytes?.(page.records.reduce((sum, record) => sum + (record.Data?.byteLength ?? 0), 0));
      const batches = decodeBatches({ shardId: deps.lease.shardId, records: page.records, after: this.resumeAfter, range: this.range }, deps.limits, deps.counts, {
        onBadRecord: (sequenceNumber, error) => deps.report.badRecord(sequenceNumber, error),
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
        else deps.report.batch(0, page.millisBehindLatest);
      }
      if (page.shardEnded) return 'shardEnded';
    }
    return 'stopped';
  }

  private async deliver(records: ConsumerRecord[], page: ReadResult, checkpointer: Checkpointer, signal: AbortSignal): Promise<void> {
    const { deps } = this;
    const last = records[records.length - 1];
    if (last) this.checkpoints.delivered({ sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber });
    await deps.processor.processRecords({ shardId: deps.lease.shardId, records, checkpointer, millisBehindLatest: page.millisBehindLatest, signal });
    deps.report.batch(records.length, page.millisBehindLatest);
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
    await this.deps.processor.shardEnded({ shardId: this.deps.lease.shardId, checkpointer: this.checkpoints.checkpointer(true) });
    if (!this.checkpoints.shardEndCheckpointed) {
      throw new KinesisActorsError(
        'SHARD_END_NOT_CHECKPOINTED',
        `the processor of ${this.deps.lease.shardId} returned from shardEnded without checkpointing: its child shards cannot start until it does`,
      );
    }
  }

  async shutdownRequested(): Promise<void> {
    await this.deps.processor.shutdownRequested?.({ shardId: this.deps.lease.shardId, checkpointer: this.checkpoints.checkpointer(false) });
  }

  async leaseLost(): Promise<void> {
    await this.deps.processor.leaseLost?.({ shardId: this.deps.lease.shardId });
  }
}
