import { resolveAwsConnection, type AwsConnection } from '../../../aws/connection.ts';
import { InvalidOptionError } from '../../../errors.ts';

/**
 * The S3 client a destination uses: an `S3Client` of `@aws-sdk/client-s3` (typed loosely so
 * that applications not using S3 need not install it).
 */
export interface S3ClientLike {
  send(command: never, ...rest: never[]): Promise<unknown>;
  destroy(): void;
}

/** Server-side encryption of the objects, as S3's `x-amz-server-side-encryption`. */
export type S3ServerSideEncryption = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

/** Options of {@link s3Destination}. */
export interface S3DestinationOptions {
  /** The bucket objects go to. */
  bucket: string;
  /** Prefix of every key, before the sink's own keys. @defaultValue '' */
  prefix?: string | undefined;
  /** The client to use (the caller destroys it); not allowed with `connection`. @defaultValue a client built from `connection` */
  client?: S3ClientLike | undefined;
  /** Region, endpoint and credentials of the client the destination builds. @defaultValue the SDK's defaults */
  connection?: AwsConnection | undefined;
  /** Path-style addressing (`endpoint/bucket/key`), which emulators need. @defaultValue true when `connection.endpoint` is set */
  forcePathStyle?: boolean | undefined;
  /** Server-side encryption of each object. @defaultValue the bucket's default */
  serverSideEncryption?: S3ServerSideEncryption | undefined;
  /** KMS key of `aws:kms` encryption. @defaultValue the AWS managed key */
  sseKmsKeyId?: string | undefined;
  /** Storage class of each object, such as 'STANDARD_IA' or 'INTELLIGENT_TIERING'. @defaultValue 'STANDARD' */
  storageClass?: string | undefined;
  /** Objects larger than this are uploaded in parts of this size (multipart upload), 5242880–5368709120. @defaultValue 8388608 */
  partSizeBytes?: number | undefined;
  /** Parts of one object uploaded at once, 1–64. @defaultValue 4 */
  queueSize?: number | undefined;
}

/** Options of {@link s3Destination} after defaults and validation. @internal */
export interface ResolvedS3DestinationOptions {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3ClientLike | undefined;
  readonly connection: Readonly<AwsConnection> | undefined;
  readonly forcePathStyle: boolean;
  readonly serverSideEncryption: S3ServerSideEncryption | undefined;
  readonly sseKmsKeyId: string | undefined;
  readonly storageClass: string | undefined;
  readonly partSizeBytes: number;
  readonly queueSize: number;
}

/** Every default in one place. */
export const s3DestinationDefaults = Object.freeze({ prefix: '', partSizeBytes: 8 * 1024 * 1024, queueSize: 4 });

const MIN_PART = 5 * 1024 * 1024;

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new InvalidOptionError(field, `must be an integer from ${min} to ${max}`, value);
  return value;
}

function optionalString(value: unknown, field: string, pattern: RegExp, requirement: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidOptionError(field, requirement, value);
  return value;
}

/** Applies defaults, checks every field, and freezes the result. @internal */
export function resolveS3DestinationOptions(options: S3DestinationOptions): ResolvedS3DestinationOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with at least a bucket', options);
  const { bucket, client } = options;
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new InvalidOptionError('bucket', 'must be an S3 bucket name (3–63 characters of a-z, 0-9, . and -)', bucket);
  const prefix = options.prefix ?? s3DestinationDefaults.prefix;
  if (typeof prefix !== 'string' || prefix.startsWith('/') || prefix.length > 512) throw new InvalidOptionError('prefix', "must be a key prefix of at most 512 characters without a leading '/'", prefix);
  if (client !== undefined && (client === null || typeof client !== 'object' || typeof client.send !== 'function')) throw new InvalidOptionError('client', 'must be an S3Client', client);
  if (client !== undefined && options.connection !== undefined) throw new InvalidOptionError('connection', 'must not be set together with options.client (configure the client instead)', options.connection);
  const connection = resolveAwsConnection(options.connection, 'connection');
  const forcePathStyle = options.forcePathStyle ?? connection?.endpoint !== undefined;
  if (typeof forcePathStyle !== 'boolean') throw new InvalidOptionError('forcePathStyle', 'must be a boolean', forcePathStyle);
  const serverSideEncryption = optionalString(options.serverSideEncryption, 'serverSideEncryption', /^(AES256|aws:kms|aws:kms:dsse)$/, "must be 'AES256', 'aws:kms' or 'aws:kms:dsse'") as S3ServerSideEncryption | undefined;
  const sseKmsKeyId = optionalString(options.sseKmsKeyId, 'sseKmsKeyId', /^.{1,2048}$/, 'must be a KMS key id or ARN');
  if (sseKmsKeyId !== undefined && !serverSideEncryption?.startsWith('aws:kms')) throw new InvalidOptionError('sseKmsKeyId', "needs options.serverSideEncryption 'aws:kms' or 'aws:kms:dsse'", sseKmsKeyId);
  return Object.freeze({
    bucket,
    prefix,
    client,
    connection,
    forcePathStyle,
    serverSideEncryption,
    sseKmsKeyId,
    storageClass: optionalString(options.storageClass, 'storageClass', /^[A-Z_]{1,64}$/, "must be an S3 storage class such as 'STANDARD_IA'"),
    partSizeBytes: integer(options.partSizeBytes ?? s3DestinationDefaults.partSizeBytes, 'partSizeBytes', MIN_PART, 5 * 1024 * 1024 * 1024),
    queueSize: integer(options.queueSize ?? s3DestinationDefaults.queueSize, 'queueSize', 1, 64),
  });
}
