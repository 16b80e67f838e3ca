import { InvalidRecordError } from '../errors.ts';
import type { StreamSummary } from '../kinesis/kinesis-api.ts';

/** The record limit of a stream that does not say (`MaxRecordSizeInKiB` absent): 1 MiB. */
export const DEFAULT_STREAM_RECORD_SIZE = 1024 * 1024;
/** The largest record limit Kinesis allows a stream (10240 KiB), and the largest PutRecords request. */
export const MAX_STREAM_RECORD_SIZE = 10 * 1024 * 1024;

/**
 * The largest user record (data plus partition key) the producer takes, and why.
 *
 * `maxUserRecordSize` when given, the stream's own limit otherwise, never above the stream's
 * limit nor above `maxOutstandingBytes`. The stream's limit is learned once, from
 * DescribeStreamSummary's `MaxRecordSizeInKiB` (1 MiB when absent), before the first shard map:
 * until then `put()` checks against the option, or 10 MiB, and every record accepted meanwhile
 * is checked again when the limit is learned, before any of them is sent.
 * @internal
 */
export class RecordLimit {
  /** The limit now, in bytes. */
  bytes: number;
  private streamBytes: number | undefined;
  private readonly ceiling: number;

  constructor(
    /** `maxUserRecordSize` as given; undefined to follow the stream. */
    private readonly option: number | undefined,
    maxOutstandingBytes: number,
  ) {
    this.ceiling = Math.min(MAX_STREAM_RECORD_SIZE, maxOutstandingBytes);
    this.bytes = Math.min(option ?? MAX_STREAM_RECORD_SIZE, this.ceiling);
  }

  /** Whether the stream's limit is known yet. */
  get learned(): boolean {
    return this.streamBytes !== undefined;
  }

  /** Takes in the stream's limit from its summary; returns the limit now. */
  learn(summary: StreamSummary): number {
    const kib = summary.MaxRecordSizeInKiB;
    this.streamBytes = typeof kib === 'number' && kib > 0 ? kib * 1024 : DEFAULT_STREAM_RECORD_SIZE;
    this.bytes = Math.min(this.option ?? this.streamBytes, this.streamBytes, this.ceiling);
    return this.bytes;
  }

  /** The stream's limit, once learned. */
  get streamLimit(): number | undefined {
    return this.streamBytes;
  }

  /** The error of a record of `size` bytes over the limit, naming both and where the limit comes from. */
  tooLarge(size: number): InvalidRecordError {
    return new InvalidRecordError('RECORD_TOO_LARGE', `the record is ${size} bytes (data plus partition key), over ${this.source()}`);
  }

  private source(): string {
    const bytes = this.bytes;
    if (this.streamBytes !== undefined && bytes === this.streamBytes && (this.option === undefined || this.option > bytes)) {
      const given = this.option === undefined ? '' : `; options.maxUserRecordSize (${this.option}) is above it`;
      return `the stream's record limit (${bytes}: MaxRecordSizeInKiB ${bytes / 1024}${given})`;
    }
    if (this.option !== undefined && bytes === this.option) return `options.maxUserRecordSize (${bytes})`;
    if (bytes === this.ceiling && this.ceiling < MAX_STREAM_RECORD_SIZE) return `options.maxOutstandingBytes (${bytes}), which no larger record could ever fit in`;
    return `the largest record Kinesis takes (${bytes})`;
  }
}
