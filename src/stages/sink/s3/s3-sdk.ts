import { httpHandler } from '../../../aws/clients.ts';
import { loadOptional } from '../../../testing/optional-dependency.ts';
import type { ResolvedS3DestinationOptions, S3ClientLike } from './s3-options.ts';

/** The parts of `@aws-sdk/client-s3` and `@aws-sdk/lib-storage` the destinations use. @internal */
export interface S3Sdk {
  S3Client: new (config: object) => S3ClientLike;
  Upload: new (options: { client: S3ClientLike; params: Record<string, unknown>; partSize: number; queueSize: number; leavePartsOnError: boolean }) => {
    done(): Promise<unknown>;
    abort(): Promise<void>;
  };
}

const PEERS = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage'];

/** Loads the S3 SDK, an optional peer, or fails with `MISSING_DEPENDENCY`. @internal */
export function loadS3Sdk(neededFor: string): S3Sdk {
  const { S3Client } = loadOptional('@aws-sdk/client-s3', neededFor, PEERS, (r) => r('@aws-sdk/client-s3') as Pick<S3Sdk, 'S3Client'>);
  const { Upload } = loadOptional('@aws-sdk/lib-storage', neededFor, PEERS, (r) => r('@aws-sdk/lib-storage') as Pick<S3Sdk, 'Upload'>);
  return { S3Client, Upload };
}

/** The given client, or one built from the connection (HTTP/1.1 keep-alive, as the framework's other clients). @internal */
export function s3ClientOf(sdk: S3Sdk, options: ResolvedS3DestinationOptions): { client: S3ClientLike; owned: boolean } {
  if (options.client) return { client: options.client, owned: false };
  const connection = options.connection ?? {};
  const client = new sdk.S3Client({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    forcePathStyle: options.forcePathStyle,
    requestHandler: httpHandler(connection),
  });
  return { client, owned: true };
}
