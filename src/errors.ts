/**
 * Every error the framework raises, with a stable code callers can switch on.
 *
 * `retriable` says whether trying the same thing again may succeed (throttling, a 5xx, a reset
 * connection); invalid input and programming errors are never retriable.
 */
export type ErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_PARTITION_KEY'
  | 'INVALID_EXPLICIT_HASH_KEY'
  | 'RECORD_TOO_LARGE'
  | 'SERIALIZATION_FAILED'
  | 'INVALID_RECORDS'
  | 'PRODUCER_CLOSED'
  | 'BACKPRESSURE'
  | 'RECORD_EXPIRED'
  | 'THROTTLED'
  | 'KINESIS_ERROR'
  | 'SHARD_MAP_UNAVAILABLE'
  | 'WORKER_FAILED'
  | 'ACTOR_ESCALATED'
  | 'INVALID_ENVELOPE'
  | 'UNKNOWN_CODEC'
  | 'INFLATE_LIMIT_EXCEEDED'
  | 'INFLATE_FAILED'
  | 'INVALID_AGGREGATE'
  | 'AGGREGATE_LIMIT_EXCEEDED'
  | 'STREAM_NOT_FOUND'
  | 'STREAM_CONSUMER_NOT_FOUND'
  | 'SHARD_END_NOT_CHECKPOINTED'
  | 'LEASE_TABLE_SCHEMA'
  | 'LEASE_LOST'
  | 'LEASE_STORE_ERROR'
  | 'BATCH_ITEM_FAILED'
  | 'PIPELINE_FAILED'
  | 'PIPELINE_CLOSED'
  | 'CHECKPOINT_STATE_TOO_LARGE'
  | 'UNKNOWN_STREAM'
  | 'SINK_DELIVERY_FAILED'
  | 'INVALID_LINE'
  | 'CHECKPOINT_FILE_CORRUPT'
  | 'INVALID_BATCH_RESULT'
  | 'MISSING_DEPENDENCY'
  | 'INITIALIZATION_FAILED'
  | 'WRONG_ENDPOINT';

/** Base class of every error thrown or rejected by the framework. */
export class KinesisActorsError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KinesisActorsError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** An option failed validation; the message names the field and what it accepts. */
export class InvalidOptionError extends KinesisActorsError {
  constructor(field: string, requirement: string, value: unknown) {
    super('INVALID_OPTION', `options.${field} ${requirement} (got ${describe(value)})`);
    this.name = 'InvalidOptionError';
  }
}

/** An error whose code is one of a few, with the error that caused it, if any. */
abstract class CodedError<C extends ErrorCode> extends KinesisActorsError {
  constructor(code: C, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

type InvalidRecordCode = 'INVALID_PARTITION_KEY' | 'INVALID_EXPLICIT_HASH_KEY' | 'RECORD_TOO_LARGE' | 'SERIALIZATION_FAILED' | 'INVALID_RECORDS';

/** A record given to `put()` was rejected before it was accepted; nothing else is affected. */
export class InvalidRecordError extends CodedError<InvalidRecordCode> {
  declare readonly code: InvalidRecordCode;
  override name = 'InvalidRecordError';
}

/** A compressed envelope could not be opened: bad header, unknown codec, or over the inflate limit. */
export class EnvelopeError extends CodedError<'INVALID_ENVELOPE' | 'UNKNOWN_CODEC' | 'INFLATE_LIMIT_EXCEEDED' | 'INFLATE_FAILED'> {
  override name = 'EnvelopeError';
}

/** Builds a short, safe description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  return typeof value;
}
