import { KinesisActorsError } from '../errors.ts';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException']);

/**
 * Translates what the Kinesis SDK threw, or a per-entry ErrorCode, into a framework error.
 * The one place that knows SDK error shapes. Programming errors are returned as they are so
 * callers can let them crash instead of retrying.
 */
export function translateKinesisError(error: unknown, operation: string): Error {
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) return error;
  if (error instanceof KinesisActorsError) return error;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(name)) {
    return new KinesisActorsError('THROTTLED', `${operation} was throttled: ${e.message ?? name}`, { retriable: true, cause: error });
  }
  if (name === 'ResourceNotFoundException') {
    return new KinesisActorsError('STREAM_NOT_FOUND', `${operation}: ${e.message ?? name}`, { retriable: true, cause: error });
  }
  const detail = status ? `${name} (HTTP ${status})` : e?.code ? `${name} (${e.code})` : name;
  return new KinesisActorsError('KINESIS_ERROR', `${operation} failed: ${detail}: ${e?.message ?? ''}`.trim(), {
    retriable: true,
    cause: error,
  });
}

/** The framework error for one failed PutRecords entry. */
export function entryError(errorCode: string, errorMessage: string | undefined): KinesisActorsError {
  return new KinesisActorsError(
    THROTTLING.has(errorCode) ? 'THROTTLED' : 'KINESIS_ERROR',
    `PutRecords entry failed: ${errorCode}${errorMessage ? `: ${errorMessage}` : ''}`,
    { retriable: true },
  );
}

/** The code under which an error is counted in ErrorsByCode. */
export function metricCode(error: Error): string {
  // The SDK renames a reset connection to TimeoutError; its errno code says what happened.
  const cause = (error as { cause?: { name?: string; code?: unknown } }).cause;
  if (typeof cause?.code === 'string' && /^E[A-Z]+$/.test(cause.code)) return cause.code;
  return cause?.name ?? (error as KinesisActorsError).code ?? error.name;
}
