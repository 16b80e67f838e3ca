import type { ArenaChunk } from './arena-chunk.ts';
import type { PutGroup } from './put-group.ts';

/** What `put()` resolves with once Kinesis has acknowledged the record. */
export interface PutResult {
  /** Shard the record was written to. */
  shardId: string;
  /** Sequence number of the Kinesis record that carries it (shared by an aggregate's user records). */
  sequenceNumber: string;
  /** Index of the user record inside its aggregated record (0 when not aggregated). */
  subSequenceNumber: number;
  /** PutRecords attempts it took, 1 when it went through the first time. */
  attempts: number;
}

/** Per-call options of `put()`. */
export interface PutOptions {
  /** Partition key, 1–256 characters of well-formed Unicode; it decides the shard unless `explicitHashKey` is given. */
  partitionKey: string;
  /** Decimal hash key, 0 to 2^128−1, that overrides the partition key's MD5 for shard choice. */
  explicitHashKey?: string | undefined;
}

/**
 * A user record from acceptance to its final result. One object per record, mutated in place,
 * so the hot path allocates nothing else per record.
 * @internal
 */
export interface UserRecord {
  /** The data as given, until the record's shard buffer moves it into its arena. */
  data: string | Uint8Array | undefined;
  /** The arena chunk holding the data, from `offset`, once stored and until settled. */
  chunk: ArenaChunk | undefined;
  offset: number;
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly hashKey: bigint;
  /** Data bytes plus partition key bytes: what counts toward limits and backpressure. */
  readonly size: number;
  /** Bytes of `data` once UTF-8 encoded. */
  readonly dataSize: number;
  readonly arrivedAt: number;
  /** When the record expires: `recordTtl` after it entered its shard buffer, not after `put()`. */
  deadline: number;
  attempts: number;
  /** Earliest time a retry may be sent. */
  notBefore: number;
  settled: boolean;
  /**
   * Why the last attempt failed (a PutRecords error, or the shard map that could not be loaded):
   * the cause of an expiry. Kept after the record left its batch, so it must hold nothing of the
   * batch or its request: its captured stack is released (`releaseFrames`).
   */
  lastError: Error | undefined;
  /** The promise of `put()` and its resolving functions; none for `send()` and `putMany()` records until `flush()` asks. */
  resolve: ((result: PutResult) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
  promise: Promise<PutResult> | undefined;
  /** The `putMany()` call it came with, told of its result. */
  group: PutGroup | undefined;
}

/** One record of `putMany()`: its value and its `put()` options. */
export interface PutEntry extends PutOptions {
  value: unknown;
}
