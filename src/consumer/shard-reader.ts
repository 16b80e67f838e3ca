import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type ShardIteratorType,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { sleepUnlessAborted, type Clock } from '../clock.ts';
import { jitteredBackoff } from '../supervision/backoff.ts';
import { translateKinesisError } from '../aws/kinesis-errors.ts';

/** Where reading a shard starts. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/** One GetRecords result. */
export interface ReadResult {
  records: _Record[];
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
}

/**
 * Polls one shard with GetRecords. Keeps the iterator, respects the per-shard call rate, backs
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
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    readonly shardId: string,
    private readonly clock: Clock,
    private readonly options: ShardReaderOptions,
  ) {}

  async start(position: StartPosition): Promise<void> {
    this.startPosition = position;
    this.iterator = await this.getIterator(position);
  }

  private async getIterator(position: StartPosition): Promise<string | undefined> {
    const input: {
      StreamName: string;
      ShardId: string;
      ShardIteratorType: ShardIteratorType;
      StartingSequenceNumber?: string;
      Timestamp?: Date;
    } = { StreamName: this.streamName, ShardId: this.shardId, ShardIteratorType: position.type };
    if (position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER') input.StartingSequenceNumber = position.sequenceNumber;
    if (position.type === 'AT_TIMESTAMP') input.Timestamp = position.timestamp;
    const response = await this.kinesis.send(new GetShardIteratorCommand(input));
    return response.ShardIterator;
  }

  /** Reads the next page, waiting as the pacing requires; `signal` cuts waits short. */
  async read(signal: AbortSignal): Promise<ReadResult> {
    if (this.iterator === undefined) return { records: [], millisBehindLatest: 0, shardEnded: true };
    for (let attempt = 1; ; attempt++) {
      const gap = this.lastWasEmpty ? this.options.idleTimeBetweenReadsMs : this.options.minTimeBetweenReadsMs;
      const wait = this.lastCallAt + gap - this.clock.now();
      if (wait > 0) await sleepUnlessAborted(this.clock, wait, signal);
      if (signal.aborted) return { records: [], millisBehindLatest: undefined, shardEnded: false };
      this.lastCallAt = this.clock.now();
      try {
        const response = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: this.options.maxRecords }));
        const records = response.Records ?? [];
        this.iterator = response.NextShardIterator ?? undefined;
        if (records.length > 0) this.lastSequenceNumber = records[records.length - 1].SequenceNumber;
        this.lastWasEmpty = records.length === 0;
        return { records, millisBehindLatest: response.MillisBehindLatest, shardEnded: this.iterator === undefined };
      } catch (thrown) {
        const name = (thrown as { name?: string }).name;
        if (name === 'ExpiredIteratorException') {
          this.iterator = await this.getIterator(
            this.lastSequenceNumber ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber } : this.startPosition,
          );
          continue;
        }
        const error = translateKinesisError(thrown, 'GetRecords');
        if (!('retriable' in error) || !(error as { retriable: boolean }).retriable) throw error;
        await sleepUnlessAborted(this.clock, jitteredBackoff(attempt, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs), signal);
      }
    }
  }
}
