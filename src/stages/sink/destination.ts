/**
 * Where a delivery sink puts its objects: an S3 bucket, a directory, an HTTP endpoint. The
 * sink releases the records of an object only once `write` resolves, so `write` must resolve
 * only when the object is durable, and may be called again with the same body after a failure.
 */
export interface SinkDestination {
  /** Stores `body` under `key` (a relative, `/`-separated path); resolves once it is durable. */
  write(key: string, body: Uint8Array): Promise<void>;
}
