import { KinesisActorsError } from '../errors.ts';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * A Kinesis request failed. `cause` is what the SDK threw (Kinesis' error, or the network's),
 * `operation` names the request. Its `name` stays `KinesisActorsError`: that is the class users
 * know it by, the subclass is for the framework's own callers.
 * @internal
 */
export class KinesisRequestError extends KinesisActorsError {
  readonly operation: string;

  constructor(code: 'THROTTLED' | 'STREAM_NOT_FOUND' | 'KINESIS_ERROR', operation: string, message: string, cause: unknown) {
    super(code, message, { retriable: true, cause });
    this.operation = operation;
  }
}

/**
 * GetRecords was given an iterator older than five minutes: a reader asks for a new one where
 * it stopped and reads on.
 * @internal
 */
export class ExpiredIteratorError extends KinesisRequestError {
  constructor(operation: string, message: string, cause: unknown) {
    super('KINESIS_ERROR', operation, message, cause);
  }
}

/**
 * Kinesis refused a request on a resource that is busy: a SubscribeToShard within five seconds
 * of the last one on the shard, a consumer registered twice. Waiting and trying again works.
 * @internal
 */
export class ResourceInUseError extends KinesisRequestError {
  constructor(operation: string, message: string, cause: unknown) {
    super('KINESIS_ERROR', operation, message, cause);
  }
}

/** Operations whose ResourceNotFoundException names a stream consumer, not a stream. */
const CONSUMER_OPERATIONS = new Set(['DescribeStreamConsumer', 'DeregisterStreamConsumer', 'SubscribeToShard']);

/** Errors of the code itself (a bug, a bad argument): never retried, they crash. @internal */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
}

/**
 * Translates what the Kinesis SDK threw into a framework error: throttling is `THROTTLED`, a
 * missing stream `STREAM_NOT_FOUND`, a missing stream consumer `STREAM_CONSUMER_NOT_FOUND` (not
 * retriable), anything else (a 5xx, a reset connection, a 4xx)
 * `KINESIS_ERROR`; every one of them retriable. The one place that knows the SDK's error
 * shapes. A framework error is returned as it is.
 * @internal
 */
export function classifyKinesisError(error: unknown, operation: string): KinesisActorsError {
  if (error instanceof KinesisActorsError) return error;
  const e = error as SdkErrorShape | undefined;
  const name = e?.name ?? 'Error';
  if (THROTTLING.has(name)) return new KinesisRequestError('THROTTLED', operation, `${operation} was throttled: ${e?.message ?? name}`, error);
  if (name === 'ResourceNotFoundException' && CONSUMER_OPERATIONS.has(operation)) {
    return new KinesisActorsError('STREAM_CONSUMER_NOT_FOUND', `${operation}: ${e?.message ?? name}`, { cause: error });
  }
  if (name === 'ResourceNotFoundException') return new KinesisRequestError('STREAM_NOT_FOUND', operation, `${operation}: ${e?.message ?? name}`, error);
  const status = e?.$metadata?.httpStatusCode;
  const detail = status ? `${name} (HTTP ${status})` : e?.code ? `${name} (${e.code})` : name;
  const message = `${operation} failed: ${detail}: ${e?.message ?? ''}`.trim();
  if (name === 'ExpiredIteratorException') return new ExpiredIteratorError(operation, message, error);
  if (name === 'ResourceInUseException') return new ResourceInUseError(operation, message, error);
  return new KinesisRequestError('KINESIS_ERROR', operation, message, error);
}

/** The framework error for one failed PutRecords entry. @internal */
export function entryError(errorCode: string, errorMessage: string | undefined): KinesisActorsError {
  return new KinesisActorsError(
    THROTTLING.has(errorCode) ? 'THROTTLED' : 'KINESIS_ERROR',
    `PutRecords entry failed: ${errorCode}${errorMessage ? `: ${errorMessage}` : ''}`,
    { retriable: true },
  );
}

/** The code under which an error is counted in ErrorsByCode. @internal */
export function metricCode(error: Error): string {
  // The SDK renames a reset connection to TimeoutError; its errno code says what happened.
  const cause = (error as { cause?: { name?: string; code?: unknown } }).cause;
  if (typeof cause?.code === 'string' && /^E[A-Z]+$/.test(cause.code)) return cause.code;
  return cause?.name ?? (error as KinesisActorsError).code ?? error.name;
}
