import type { ConsumerRecord } from './record.ts';
import type { ExtendedSequenceNumber } from './decode-records.ts';

/** Where a lease starts when it has no checkpoint yet. */
export type InitialPosition = 'TRIM_HORIZON' | 'LATEST' | { timestamp: Date };

/** Whether `value` is an {@link InitialPosition} (a timestamp must be a valid Date). @internal */
export function isInitialPosition(value: unknown): value is InitialPosition {
  if (value === 'LATEST' || value === 'TRIM_HORIZON') return true;
  const timestamp = (value as { timestamp?: unknown } | null)?.timestamp;
  return typeof value === 'object' && timestamp instanceof Date && !Number.isNaN(timestamp.getTime());
}

/** Records progress on a shard; every call is fenced by the lease, so a stale owner is refused. */
export interface Checkpointer {
  /**
   * Checkpoints at `record` (everything up to and including it is processed), or, with no
   * argument, at the last record handed to the processor — at the end of a shard, at SHARD_END.
   * Rejects with a `LEASE_LOST` error when another worker has taken the lease.
   */
  checkpoint(record?: { sequenceNumber: string; subSequenceNumber?: number }, options?: CheckpointOptions): Promise<void>;
}

/** What a checkpoint may carry besides the position. */
export interface CheckpointOptions {
  /**
   * Processor state stored with the position in the same fenced write (e.g. open windows), and
   * handed to `initialize` of the next owner. JSON text; at most 256 KiB (a lease row is ≤ 400 KB).
   */
  state?: string | undefined;
}

/** What `initialize` learns: the shard and where processing resumes. */
export interface InitializationInput {
  shardId: string;
  /** The checkpoint processing resumes after, or the initial position of a new lease. */
  checkpoint: ExtendedSequenceNumber | 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** The state last checkpointed with the position, if any. */
  state?: string;
}

/** What `processRecords` gets: the shard, its next user records, and the checkpointer for them. */
export interface ProcessRecordsInput {
  shardId: string;
  /**
   * The next user records of the shard, in order. A read holding more than
   * `maxUserRecordsPerBatch` user records or `maxInflatedBytesPerBatch` inflated bytes comes in
   * several calls, each decoded once the one before has returned.
   */
  records: ConsumerRecord[];
  checkpointer: Checkpointer;
  /** How far behind the tip of the shard this batch is, as Kinesis reports it. */
  millisBehindLatest: number | undefined;
  /** Aborted when the lease is lost or the consumer stops: stop early, do not checkpoint. */
  signal: AbortSignal;
}

/**
 * A record processor in the KCL's shape: one instance per shard lease.
 *
 * @example
 * const processor: RecordProcessor = {
 *   async processRecords({ records, checkpointer }) {
 *     for (const r of records) await save(r);
 *     await checkpointer.checkpoint();
 *   },
 *   async shardEnded({ checkpointer }) { await checkpointer.checkpoint(); },
 * };
 */
export interface RecordProcessor {
  /**
   * Also call `processRecords` after reads that returned no records (the KCL's
   * callProcessRecordsEvenForEmptyRecordList): a processor with work in the background uses
   * it to surface that work's failure. @defaultValue false
   */
  readonly processEmptyBatches?: boolean;
  initialize?(input: InitializationInput): Promise<void> | void;
  processRecords(input: ProcessRecordsInput): Promise<void> | void;
  /** The lease went to another worker: stop, do not checkpoint. */
  leaseLost?(input: { shardId: string }): Promise<void> | void;
  /** Every record of a closed shard was handed over: checkpoint now, or its children never start. */
  shardEnded(input: { shardId: string; checkpointer: Checkpointer }): Promise<void> | void;
  /** The consumer is draining: checkpoint what is done. */
  shutdownRequested?(input: { shardId: string; checkpointer: Checkpointer }): Promise<void> | void;
}

/** The consumer a processor works for, as its metrics name it. */
export interface ProcessorConsumer {
  applicationName: string;
  streamName: string;
  workerIdentifier: string;
}

/** Creates the processor of one shard lease. */
export type RecordProcessorFactory = (shardId: string, consumer?: ProcessorConsumer) => RecordProcessor;
