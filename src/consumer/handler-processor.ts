import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import { runBatch, type BatchEvent, type BatchFunction } from './error-handling/run-batch.ts';
import type { ResolvedErrorHandlingOptions } from './error-handling/options.ts';
import type { RecordProcessor } from './processor.ts';

/**
 * The simple form of user code: an async function of a batch of records. Return nothing for
 * success, or, with `reportBatchItemFailures`, the items that failed (Lambda's shape).
 */
export type BatchHandler = BatchFunction;

/**
 * Wraps a batch handler into a record processor: Lambda-style error handling per batch, then a
 * checkpoint at the last record that is done; SHARD_END at the end of a shard.
 * @internal
 */
export function handlerProcessor(
  handler: BatchHandler,
  options: ResolvedErrorHandlingOptions,
  deps: {
    clock: Clock;
    logger: Logger;
    onEvent?: (event: BatchEvent) => void;
    /** The records the handler is done with, told before their checkpoint is written. */
    onDone?: (shardId: string, records: number, millisBehindLatest: number | undefined) => void;
  },
): RecordProcessor {
  return {
    async processRecords({ shardId, records, checkpointer, signal, millisBehindLatest }) {
      const outcome = await runBatch(records, handler, options, { shardId, clock: deps.clock, signal, logger: deps.logger, onEvent: deps.onEvent });
      // Counted before the checkpoint: what the handler has done is done, and a reader of the
      // metrics must not wait for a DynamoDB round trip to see it.
      deps.onDone?.(shardId, outcome.completed, millisBehindLatest);
      if (outcome.completed > 0) await checkpointer.checkpoint(records[outcome.completed - 1]);
    },
    async shardEnded({ checkpointer }) {
      await checkpointer.checkpoint();
    },
  };
}
