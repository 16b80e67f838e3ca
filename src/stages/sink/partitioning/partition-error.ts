/**
 * A record's partition could not be computed (a field missing, a value that cannot be part of
 * a key, the partition function threw). The record goes under the error prefix with this reason.
 */
export class PartitionError extends Error {
  /** The code written in the error output, after Firehose's. */
  readonly code = 'DynamicPartitioning.MetadataExtractionFailed';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartitionError';
  }
}
