import type { StartPosition } from './kinesis-api.ts';
import type { ReadResult } from './shard-reader.ts';

/**
 * What a shard consumer reads its shard through, whichever way the records come: the polling
 * `ShardReader` (GetRecords) or the `FanOutReader` (SubscribeToShard). Both hand over the same
 * pages, so decoding, handlers, checkpoints and shard ends cannot tell them apart.
 * @internal
 */
export interface ShardRecordsReader {
  readonly shardId: string;
  /** Where reading starts; called once, before the first read. */
  start(position: StartPosition): Promise<void>;
  /** The next page of records, waiting as needed; `signal` cuts the wait short with an empty page. */
  read(signal: AbortSignal): Promise<ReadResult>;
  /** Lets go of what the reader holds open (a subscription); idempotent. */
  close?(): Promise<void>;
}
