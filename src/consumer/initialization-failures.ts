import { KinesisActorsError } from '../errors.ts';
import type { InitializationStep } from './initialization.ts';

/**
 * Which failures of a consumer's initialization end it at once, and with what error: anything
 * that is not a retriable framework error (a programming error, a lease table with the wrong
 * schema, missing permissions), and a stream that does not exist, which Kinesis reports as
 * retriable because it may be in creation but which a starting worker has no reason to wait
 * for. Undefined means the step may be tried again.
 * @internal
 */
export function fatalInitializationError(step: InitializationStep, error: unknown, streamName: string): Error | undefined {
  if (!(error instanceof KinesisActorsError)) return error instanceof Error ? error : new Error(String(error));
  if (error.code === 'STREAM_NOT_FOUND') {
    return new KinesisActorsError(
      'STREAM_NOT_FOUND',
      `stream ${JSON.stringify(streamName)} does not exist (${step}: ${error.message}): create it, or check options.streamName and the region or endpoint of options.connection`,
      { cause: error },
    );
  }
  return error.retriable ? undefined : error;
}
