import type { BatchFailure, OnFailureDestination } from '../../../consumer/error-handling/options.ts';
import { hourFolder } from '../object-key.ts';
import { s3Destination } from './s3-destination.ts';
import type { S3DestinationOptions } from './s3-options.ts';

/** Options of {@link s3OnFailureDestination}: those of an S3 destination, `prefix` defaulting to 'failed-batches/'. */
export type S3OnFailureDestinationOptions = S3DestinationOptions;

/** The invocation record Lambda writes for a Kinesis batch given up on, with the records themselves. @internal */
export function failureDocument(failure: BatchFailure, now: Date): object {
  const { error, records } = failure;
  const arrivals = records.map((r) => r.approximateArrivalTimestamp.getTime());
  return {
    version: '1.0',
    timestamp: now.toISOString(),
    requestContext: {
      condition: failure.reason === 'recordAgeExceeded' ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted',
      approximateInvokeCount: failure.attempts,
    },
    responseContext: {
      errorType: error instanceof Error ? error.name : error === undefined ? undefined : typeof error,
      errorCode: (error as { code?: unknown } | undefined)?.code,
      errorMessage: error instanceof Error ? error.message : error === undefined ? undefined : String(error),
    },
    KinesisBatchInfo: {
      shardId: failure.shardId,
      startSequenceNumber: failure.startSequenceNumber,
      endSequenceNumber: failure.endSequenceNumber,
      approximateArrivalOfFirstRecord: arrivals.length ? new Date(Math.min(...arrivals)).toISOString() : undefined,
      approximateArrivalOfLastRecord: arrivals.length ? new Date(Math.max(...arrivals)).toISOString() : undefined,
      batchSize: failure.batchSize,
    },
    payload: records.map((r) => ({
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      subSequenceNumber: r.subSequenceNumber,
      approximateArrivalTimestamp: r.approximateArrivalTimestamp.toISOString(),
      data: r.data.toString('base64'),
    })),
  };
}

/**
 * An on-failure destination for a consumer's error handling that writes each batch given up
 * on to S3, as Lambda's S3 on-failure destination does: one JSON object with the shard, the
 * sequence range, the attempts, the last error and the records (data in base64), under
 * `${prefix}${shardId}/YYYY/MM/DD/HH/`, named by its sequence range so a retried write
 * overwrites rather than duplicates. The consumer retries a rejected write until it succeeds.
 *
 * @example
 * const consumer = createConsumer({ ..., handler, errorHandling: { maximumRetryAttempts: 3, onFailure: s3OnFailureDestination({ bucket: 'clicks-failed' }) } });
 */
export function s3OnFailureDestination(options: S3OnFailureDestinationOptions): OnFailureDestination & { close(): void } {
  const destination = s3Destination({ ...options, prefix: options.prefix ?? 'failed-batches/' });
  const send = async (failure: BatchFailure): Promise<void> => {
    const now = new Date();
    const first = failure.records[0];
    const key = `${failure.shardId}/${hourFolder(first ? first.approximateArrivalTimestamp.getTime() : now.getTime())}${failure.shardId}-${failure.startSequenceNumber}-${failure.endSequenceNumber}.json`;
    const body = Buffer.from(JSON.stringify(failureDocument(failure, now)));
    await destination.write(key, body, { records: [], contentType: 'application/json' });
  };
  return Object.assign(send, { close: () => destination.close() });
}
