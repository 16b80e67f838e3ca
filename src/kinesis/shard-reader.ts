import { sleepUnlessAborted, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { KinesisApi, KinesisRecord, StartPosition } from './kinesis-api.ts';
import type { StreamIdentity } from './stream-identity.ts';
import { ExpiredIteratorError } from './kinesis-errors.ts';

/** One GetRecords result. */
export interface ReadResult {
  records: KinesisRecord[];
  millisBehindLatest: number | undefined;
  /** The shard is closed and every record has been read. */
  shardEnded: boolean;
}

/** Pacing and size of reads. @internal */
export interface ShardReaderOptions {
  maxRecords: number;
  /** At least this long between GetRecords calls: 5 calls/s per shard is the Kinesis limit. */
  minTimeBetweenReadsMs: number;
  /** Wait this long after an empty result. */
  idleTimeBetweenReadsMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Failed GetRecords calls of one read before its error is thrown. @defaultValue unlimited */
  maxAttempts?: number | undefined;
}

/**
 * Polls one shard with GetRecords: the one reader of the consumer, `tail`, the lease table's lag
 * and the test kit's `readStream`. Keeps the iterator, respects the per-shard call rate, backs
 * off on throttling, and when the iterator expires gets a new one right after the last record
 * it returned, so nothing is skipped or repeated.
 * @internal
 */
export class ShardReader {
  private iterator: string | undefined;
  private startPosition: StartPosition = { type: 'TRIM_HORIZON' };
  private lastSequenceNumber: string | undefined;
  private lastCallAt = -Infinity;
  private lastWasEmpty = false;

  constructor(
    private readonly kinesis: KinesisApi,
    private readonly stream: StreamIdentity,
    readonly shardId: string,
    private readonly clock: Clock,
    private readonly options: ShardReaderOptions,
  ) {}

  async start(position: StartPosition): Promise<void> {
    this.startPosition = position;
    this.iterator = await this.kinesis.getShardIterator(this.stream, this.shardId, position);
  }

  /** Reads the next page, waiting as the pacing requires; `signal` cuts waits short. */
  async read(signal: AbortSignal): Promise<ReadResult> {
    const maxAttempts = this.options.maxAttempts ?? Infinity;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const iterator = this.iterator;
      if (iterator === undefined) return { records: [], millisBehindLatest: 0, shardEnded: true };
      const gap = this.lastWasEmpty ? this.options.idleTimeBetweenReadsMs : this.options.minTimeBetweenReadsMs;
      const wait = this.lastCallAt + gap - this.clock.now();
      if (wait > 0) await sleepUnlessAborted(this.clock, wait, signal);
      if (signal.aborted) return { records: [], millisBehindLatest: undefined, shardEnded: false };
      this.lastCallAt = this.clock.now();
      try {
        const page = await this.kinesis.getRecords(iterator, this.options.maxRecords);
        const records = page.records;
        this.iterator = page.nextShardIterator;
        if (records.length > 0) this.lastSequenceNumber = records[records.length - 1].SequenceNumber;
        this.lastWasEmpty = records.length === 0;
        return { records, millisBehindLatest: page.millisBehindLatest, shardEnded: this.iterator === undefined };
      } catch (error) {
        if (error instanceof ExpiredIteratorError) {
          const position: StartPosition = this.lastSequenceNumber ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber } : this.startPosition;
          this.iterator = await this.kinesis.getShardIterator(this.stream, this.shardId, position);
          // Not a shard end: a closed shard still has an iterator until its last record is read.
          if (this.iterator === undefined) throw new KinesisActorsError('KINESIS_ERROR', `GetShardIterator returned no iterator for ${this.shardId}`, { retriable: true });
          continue;
        }
        if (!(error instanceof KinesisActorsError) || !error.retriable || ++failures >= maxAttempts) throw error;
        await sleepUnlessAborted(this.clock, jitteredBackoff(attempt, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs), signal);
      }
    }
  }
}
