import type { SinkRecord } from './sink-record.ts';

/** What a destination is told about an object besides its key and body. */
export interface SinkObject {
  /** The records in the object, in order; a records destination loads these instead of the body. */
  readonly records: readonly SinkRecord[];
  /** MIME type of the body: `application/x-ndjson`, `application/gzip` or `application/vnd.apache.parquet`. */
  readonly contentType: string;
}

/**
 * Where a delivery sink puts its objects: an S3 bucket, a directory, a warehouse table. The
 * sink releases the records of an object only once `write` resolves, so `write` must resolve
 * only when the object is durable, and may be called again with the same object after a failure.
 */
export interface SinkDestination {
  /** Stores `body` under `key` (a relative, `/`-separated path); resolves once it is durable. */
  write(key: string, body: Uint8Array, object?: SinkObject): Promise<void>;
  /**
   * 'records' when the destination loads `object.records` and ignores the body (a warehouse
   * table): the sink then encodes nothing, does not partition, and needs an `errorDestination`.
   * @defaultValue 'objects'
   */
  readonly accepts?: 'objects' | 'records' | undefined;
}
