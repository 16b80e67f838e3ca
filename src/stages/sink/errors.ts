import { KinesisActorsError } from '../../errors.ts';

/**
 * A delivery sink could write its records neither to the destination (within the retry
 * duration) nor under its error prefix. The batches holding them fail, so the pipeline reads
 * them again from its last checkpoint; nothing is acknowledged unwritten.
 */
export class SinkDeliveryError extends KinesisActorsError {
  /** Key of the object that could not be written. */
  readonly key: string;
  /** Attempts made to write the data object before it went to the error prefix. */
  readonly attemptsMade: number;

  constructor(message: string, details: { key: string; attemptsMade: number; cause: unknown }) {
    super('SINK_DELIVERY_FAILED', message, { retriable: true, cause: details.cause });
    this.name = 'SinkDeliveryError';
    this.key = details.key;
    this.attemptsMade = details.attemptsMade;
  }
}
