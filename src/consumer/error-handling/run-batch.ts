import { sleepUnlessAborted, type Clock } from '../../internal/clock.ts';
import type { Logger } from '../../internal/logger.ts';
import { KinesisActorsError, describe } from '../../errors.ts';
import { jitteredBackoff } from '../../internal/backoff.ts';
import type { ConsumerRecord } from '../record.ts';
import type { BatchFailure, BatchFailureReason, ResolvedErrorHandlingOptions } from './options.ts';

/** What a batch handler is told besides its records. */
export interface BatchHandlerContext {
  shardId: string;
  /** Aborted on graceful shutdown or when the lease is lost. */
  signal: AbortSignal;
  /** How many times the handler has been given all of these records, this call included (1 on the first). */
  attempt: number;
}

/**
 * A handler's answer with `reportBatchItemFailures`. An `itemIdentifier` is a record's
 * `sequenceNumber` (the first user record carrying it in this batch) or
 * `${sequenceNumber}/${subSequenceNumber}` (one user record of an aggregated record).
 */
export interface BatchItemFailures {
  batchItemFailures: { itemIdentifier: string }[];
}

/** User code run on a batch: resolve for success, reject (or report item failures) for failure. */
export type BatchFunction = (records: ConsumerRecord[], context: BatchHandlerContext) => Promise<void | BatchItemFailures>;

/** Instrumentation events of {@link runBatch}, for the consumer's metrics. */
export type BatchEvent =
  | { type: 'batch.retry'; shardId: string; attempt: number; delayMs: number; size: number; error: unknown }
  | { type: 'batch.bisect'; shardId: string; size: number }
  | { type: 'batch.failedToDestination'; failure: BatchFailure }
  | { type: 'batch.destinationRetry'; shardId: string; attempt: number; delayMs: number; error: unknown };

/** Side effects and identity for {@link runBatch}. */
export interface RunBatchContext {
  shardId: string;
  clock: Clock;
  /** Aborts waiting; the handler is never called after it aborted. */
  signal: AbortSignal;
  logger?: Logger;
  onEvent?: (event: BatchEvent) => void;
}

/** How a batch went. `completed` counts leading records, so the caller can checkpoint at `records[completed - 1]`. */
export interface BatchOutcome {
  /** Leading records that are done: handled successfully or given up on (sent to `onFailure`). */
  completed: number;
  /** Records given up on (delivered to `onFailure`, or discarded when there is none). */
  failedToDestination: number;
  /** Handler calls. */
  attempts: number;
  /** Times a failing batch was split in two. */
  bisections: number;
}

/** A contiguous run of not-yet-done records, with its history. */
interface Segment {
  start: number;
  end: number;
  /** Retries spent; bisected halves inherit them, since splits do not count. */
  retries: number;
  /** Handler calls that included all of its records. */
  calls: number;
  error: unknown;
}

/**
 * Runs a batch handler with Lambda's Kinesis error handling: retries with jittered backoff,
 * bisection, partial batch failures, maximum record age and an on-failure destination. Records
 * are handed over in order and a failing first half is finished (or given up on) before the
 * second half starts, so the records done always form a prefix.
 *
 * Resolves when every record is done, or early, once `context.signal` aborts, with the prefix
 * that is done; it never rejects because of the handler or the destination.
 *
 * @example
 * const outcome = await runBatch(records, handler, resolveErrorHandlingOptions({ maximumRetryAttempts: 3 }), { shardId, clock, signal });
 * if (outcome.completed > 0) await checkpointer.checkpoint(records[outcome.completed - 1]);
 */
export async function runBatch(
  records: ConsumerRecord[],
  handler: BatchFunction,
  options: ResolvedErrorHandlingOptions,
  context: RunBatchContext,
): Promise<BatchOutcome> {
  const { shardId, clock, signal, logger } = context;
  const outcome: BatchOutcome = { completed: 0, failedToDestination: 0, attempts: 0, bisections: 0 };
  // The top of the stack is the first record not done; segments below it follow in shard order.
  const stack: Segment[] = records.length > 0 ? [{ start: 0, end: records.length, retries: 0, calls: 0, error: undefined }] : [];

  const emit = (event: BatchEvent) => {
    try {
      context.onEvent?.(event);
    } catch (error) {
      logger?.warn({ err: error, shardId, event: event.type }, 'onEvent listener threw; ignored');
    }
  };

  const giveUp = async (segment: Segment, end: number, reason: BatchFailureReason): Promise<boolean> => {
    const given = records.slice(segment.start, end);
    const failure: BatchFailure = {
      shardId,
      startSequenceNumber: given[0].sequenceNumber,
      endSequenceNumber: given[given.length - 1].sequenceNumber,
      records: given,
      batchSize: given.length,
      attempts: segment.calls,
      reason,
      error: segment.error,
    };
    const summary = { shardId, reason, batchSize: failure.batchSize, start: failure.startSequenceNumber, end: failure.endSequenceNumber, attempts: failure.attempts };
    if (options.onFailure === undefined) {
      logger?.warn({ ...summary, err: failure.error }, 'records given up on and discarded: no onFailure destination');
    } else {
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) return false;
        try {
          await options.onFailure(failure, { signal });
          break;
        } catch (error) {
          const delayMs = jitteredBackoff(attempt, options.retryBaseDelayMs, options.retryMaxDelayMs);
          logger?.warn({ ...summary, err: error, attempt, delayMs }, 'onFailure destination failed; retrying');
          emit({ type: 'batch.destinationRetry', shardId, attempt, delayMs, error });
          if (!(await sleepUnlessAborted(clock, delayMs, signal))) return false;
        }
      }
      logger?.warn({ ...summary, err: failure.error }, 'records given up on and sent to the onFailure destination');
    }
    outcome.failedToDestination += given.length;
    segment.start = end;
    outcome.completed = end;
    emit({ type: 'batch.failedToDestination', failure });
    return true;
  };

  while (stack.length > 0) {
    if (signal.aborted) return outcome;
    const segment = stack[stack.length - 1];
    const fresh = firstFresh(records, segment, options.maximumRecordAgeInSeconds, clock.now());
    if (fresh > segment.start && !(await giveUp(segment, fresh, 'recordAgeExceeded'))) return outcome;
    if (segment.start === segment.end) {
      stack.pop();
      continue;
    }
    if (signal.aborted) return outcome;

    const batch = records.slice(segment.start, segment.end);
    segment.calls++;
    outcome.attempts++;
    let done: number;
    try {
      const result = await handler(batch, { shardId, signal, attempt: segment.calls });
      done = options.reportBatchItemFailures ? lowestFailedItem(result, batch) : batch.length;
      if (done < batch.length) {
        segment.error = new KinesisActorsError('BATCH_ITEM_FAILED', `the handler reported record ${describeRecord(batch[done])} as failed`, { retriable: true });
      }
    } catch (error) {
      segment.error = error;
      const programmingError = error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError;
      const level = programmingError ? 'error' : 'warn';
      logger?.[level]({ err: error, shardId, size: batch.length, attempt: segment.calls }, programmingError ? 'batch handler has a bug' : 'batch handler failed');
      if (options.bisectBatchOnFunctionError && batch.length > 1) {
        const middle = segment.start + Math.ceil(batch.length / 2);
        stack.pop();
        stack.push({ ...segment, start: middle }, { ...segment, end: middle });
        outcome.bisections++;
        emit({ type: 'batch.bisect', shardId, size: batch.length });
        continue;
      }
      done = 0;
    }
    segment.start += done;
    outcome.completed = segment.start;
    if (segment.start === segment.end) {
      stack.pop();
      continue;
    }
    if (signal.aborted) return outcome;
    const retriesLeft = options.maximumRetryAttempts === -1 || segment.retries < options.maximumRetryAttempts;
    if (!retriesLeft) {
      if (!(await giveUp(segment, segment.end, 'retriesExhausted'))) return outcome;
      stack.pop();
      continue;
    }
    segment.retries++;
    const delayMs = jitteredBackoff(segment.retries, options.retryBaseDelayMs, options.retryMaxDelayMs);
    emit({ type: 'batch.retry', shardId, attempt: segment.retries, delayMs, size: segment.end - segment.start, error: segment.error });
    if (!(await sleepUnlessAborted(clock, delayMs, signal))) return outcome;
  }
  return outcome;
}

/** Index of the first record of the segment that is not too old; expired records are only removed from the front. */
function firstFresh(records: ConsumerRecord[], segment: Segment, maximumRecordAgeInSeconds: number, now: number): number {
  if (maximumRecordAgeInSeconds === -1) return segment.start;
  // Rounded: seconds from the deprecated milliseconds may be a fraction that is not exact in binary.
  const maximumAgeMs = Math.round(maximumRecordAgeInSeconds * 1000);
  let index = segment.start;
  while (index < segment.end && now - records[index].approximateArrivalTimestamp.getTime() > maximumAgeMs) index++;
  return index;
}

/**
 * Reads a handler's result the way Lambda does: nothing, an object without `batchItemFailures`,
 * or an empty list means success; otherwise the index of the lowest failed item. A malformed
 * result or an unknown identifier throws, which makes the whole batch fail.
 */
function lowestFailedItem(result: unknown, batch: ConsumerRecord[]): number {
  if (result === undefined || result === null) return batch.length;
  if (typeof result !== 'object') throw invalidResult(`the handler returned ${describe(result)}; expected { batchItemFailures: [{ itemIdentifier }] } or nothing`);
  const failures: unknown = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return batch.length;
  if (!Array.isArray(failures)) throw invalidResult(`batchItemFailures must be an array (got ${describe(failures)})`);
  if (failures.length === 0) return batch.length;
  const positions = new Map<string, number>();
  batch.forEach((record, index) => {
    if (!positions.has(record.sequenceNumber)) positions.set(record.sequenceNumber, index);
    positions.set(`${record.sequenceNumber}/${record.subSequenceNumber}`, index);
  });
  let lowest = batch.length;
  failures.forEach((failure: unknown, i) => {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') throw invalidResult(`batchItemFailures[${i}].itemIdentifier must be a non-empty string (got ${describe(id)})`);
    const position = positions.get(id);
    if (position === undefined) throw invalidResult(`batchItemFailures[${i}].itemIdentifier ${describe(id)} names no record of this batch`);
    lowest = Math.min(lowest, position);
  });
  return lowest;
}

function invalidResult(message: string): KinesisActorsError {
  return new KinesisActorsError('INVALID_BATCH_RESULT', `${message}; the whole batch counts as failed`);
}

function describeRecord(record: ConsumerRecord): string {
  return `${record.sequenceNumber}/${record.subSequenceNumber}`;
}
