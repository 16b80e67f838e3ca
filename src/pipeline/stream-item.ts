/**
 * The record shape stages pass along: a value with the key Kinesis needs to put it again, and
 * optional event time and target stream. Built-in stages read and write `StreamItem`s.
 */
/** Where an item came from on the consumer side: its Kinesis record's shard and position. */
export interface SourcePosition {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
}

export interface StreamItem<T = unknown> {
  value: T;
  /** Partition key for a later put (the consumer side starts with the record's own key). */
  partitionKey: string;
  explicitHashKey?: string;
  /** Name of the output stream a producer-side pipeline routes this item to; its first stream when absent. */
  stream?: string;
  /** Event time, ms since the epoch, when a stage has set it (windows read it). */
  eventTime?: number;
  /**
   * The record this item was read from, set by `parseJson`; stages that spread the item keep it.
   * Sinks name objects and deduplicate loads by it.
   */
  source?: SourcePosition;
}
