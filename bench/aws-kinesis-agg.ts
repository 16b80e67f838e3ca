import { createRequire } from 'node:module';

/** aws-kinesis-agg (CommonJS, untyped), as the peers use it: `aggregate()` and `deaggregateSync()` with the callbacks they call. */
export const agg = createRequire(import.meta.url)('aws-kinesis-agg') as {
  deaggregateSync(
    record: object,
    checksums: boolean,
    done: (err: Error | null, records?: { PartitionKey?: string; Data?: string; partitionKey?: string; data?: string }[]) => void,
  ): void;
  aggregate(
    records: { partitionKey: string; data: Buffer }[],
    onEncoded: (record: { data: Buffer; partitionKey: string; explicitHashKey?: string }, cb: (err?: Error) => void) => void,
    done: () => void,
    onError: (err: Error) => void,
  ): void;
};
