import type { SinkDestination, SinkObject } from '../destination.ts';
import { resolveS3DestinationOptions, type S3DestinationOptions } from './s3-options.ts';
import { loadS3Sdk, s3ClientOf } from './s3-sdk.ts';

/** A destination in an S3 bucket; `close()` destroys the client it built (not one it was given). */
export interface S3Destination extends SinkDestination {
  readonly bucket: string;
  close(): void;
}

/**
 * A destination that puts each object into an S3 bucket, under `prefix` + the sink's key.
 * `write` resolves once S3 has confirmed the object (a PutObject, or a completed multipart
 * upload for objects over `partSizeBytes`), so the sink acknowledges nothing S3 does not hold;
 * a failed multipart upload is aborted so no parts are left behind. The SDK retries each
 * request (throttling, 5xx) before the sink's own retries.
 *
 * @example
 * const sink = deliverySink({
 *   destination: s3Destination({ bucket: 'clicks-archive', serverSideEncryption: 'aws:kms', storageClass: 'STANDARD_IA' }),
 *   partitionBy: 'page={page}/dt={yyyy}-{MM}-{dd}/',
 *   format: 'parquet',
 * });
 */
export function s3Destination(options: S3DestinationOptions): S3Destination {
  const resolved = resolveS3DestinationOptions(options);
  const sdk = loadS3Sdk('s3Destination');
  const { client, owned } = s3ClientOf(sdk, resolved);
  const encryption = {
    ...(resolved.serverSideEncryption === undefined ? {} : { ServerSideEncryption: resolved.serverSideEncryption }),
    ...(resolved.sseKmsKeyId === undefined ? {} : { SSEKMSKeyId: resolved.sseKmsKeyId }),
    ...(resolved.storageClass === undefined ? {} : { StorageClass: resolved.storageClass }),
  };
  let closed = false;
  return {
    bucket: resolved.bucket,
    async write(key: string, body: Uint8Array, object?: SinkObject) {
      if (closed) throw new TypeError(`the s3Destination of bucket ${resolved.bucket} is closed`);
      const params = { Bucket: resolved.bucket, Key: `${resolved.prefix}${key}`, Body: body, ContentType: object?.contentType ?? 'application/octet-stream', ...encryption };
      const upload = new sdk.Upload({ client, params, partSize: resolved.partSizeBytes, queueSize: resolved.queueSize, leavePartsOnError: false });
      await upload.done();
    },
    close() {
      if (closed) return;
      closed = true;
      if (owned) client.destroy();
    },
  };
}
