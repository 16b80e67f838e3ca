import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AwsConnection } from '../aws/connection.ts';
import { loadOptional } from './optional-dependency.ts';

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** Port to listen on, on 127.0.0.1. @defaultValue 0 (any free port) */
  port?: number | undefined;
  /** Buckets to create at start. @defaultValue [] */
  buckets?: string[] | undefined;
  /** Directory the emulator keeps objects in; removed on close when it made one. @defaultValue a new temporary directory */
  directory?: string | undefined;
}

/** An in-process S3 endpoint (s3rver) on 127.0.0.1. */
export interface LocalS3 {
  endpoint: string;
  /** Connection settings for `s3Destination({ connection })` and S3 clients. */
  connection: AwsConnection;
  /** Where the emulator keeps objects: `${directory}/${bucket}/${key}._S3rver_object`. */
  directory: string;
  /** Stops the emulator (and removes its directory when it made one); idempotent. */
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

type S3rverConstructor = new (options: object) => S3rverInstance;

/**
 * Starts s3rver, an optional peer, as the embedded S3 of the local stack: objects on disk in
 * a temporary directory, any credentials accepted, path-style addressing.
 *
 * @example
 * const s3 = await startLocalS3({ buckets: ['clicks'] });
 * const destination = s3Destination({ bucket: 'clicks', connection: s3.connection });
 * // ...
 * await s3.close();
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const S3rver = loadOptional('s3rver', 'the embedded S3', ['s3rver', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'], (r) => r('s3rver') as S3rverConstructor);
  const owned = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'kinesis-actors-s3-')));
  const server = new S3rver({
    port: options.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    connection: { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
    directory,
    close() {
      closing ??= (async () => {
        await server.close();
        if (owned) await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
