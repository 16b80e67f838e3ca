import type { UserRecord } from './user-record.ts';

/** A record of a `putMany()` call that failed for good. */
export interface PutManyFailure {
  /** Its index in the array given to `putMany()`. */
  index: number;
  partitionKey: string;
  error: Error;
}

/** What `putMany()` resolves with once every one of its records has its final result. */
export interface PutManyResult {
  /** Records Kinesis acknowledged. */
  put: number;
  /** Records that failed for good, by index; empty when all were put. */
  failed: PutManyFailure[];
}

/**
 * The records of one `putMany()` call, settled through one promise: each record tells the group
 * its result, and the group resolves once the last one has. No per-record promise or result
 * object is made.
 * @internal
 */
export class PutGroup {
  readonly promise: Promise<PutManyResult>;
  private resolve!: (result: PutManyResult) => void;
  private remaining: number;
  private failures: { record: UserRecord; error: Error }[] = [];

  constructor(private records: readonly UserRecord[]) {
    this.remaining = records.length;
    this.promise = new Promise((resolve) => (this.resolve = resolve));
    for (const record of records) record.group = this;
    if (this.remaining === 0) this.finish();
  }

  succeeded(): void {
    if (--this.remaining === 0) this.finish();
  }

  failed(record: UserRecord, error: Error): void {
    this.failures.push({ record, error });
    if (--this.remaining === 0) this.finish();
  }

  private finish(): void {
    let failed: PutManyFailure[] = [];
    if (this.failures.length > 0) {
      // Indices are found once, at the end: failures are rare, and a map per call would not be.
      const indexOf = new Map(this.records.map((record, index) => [record, index]));
      failed = this.failures.map(({ record, error }) => ({ index: indexOf.get(record)!, partitionKey: record.partitionKey, error }));
      failed.sort((a, b) => a.index - b.index);
    }
    const put = this.records.length - failed.length;
    this.records = [];
    this.failures = [];
    this.resolve({ put, failed });
  }
}
