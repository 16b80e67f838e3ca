import type { KinesisApi, PutRecordsRequestEntry, PutRecordsResultEntry } from '../kinesis/kinesis-api.ts';
import type { StreamIdentity } from '../kinesis/stream-identity.ts';
import type { Clock } from '../internal/clock.ts';

/** What one shard's batch gets back from the request that carried it. @internal */
export interface CollectedResult {
  /** The results of the batch's entries, in its order. */
  records: (PutRecordsResultEntry | undefined)[];
}

/** Limits of one PutRecords request, and how long a ready batch may wait for others. @internal */
export interface CollectorLimits {
  maxEntries: number;
  maxBytes: number;
  holdMs: number;
}

/** A flush the collector waits for, from {@link RequestCollector.expect} until it submits or withdraws. @internal */
export interface Expected {
  open: boolean;
}

interface Submission {
  entries: PutRecordsRequestEntry[];
  bytes: number;
  userRecords: number;
  resolve(result: CollectedResult): void;
  reject(error: unknown): void;
}

/**
 * Makes the producer's PutRecords calls, collecting the batches of several shards into one
 * request, as the KPL's collector does. A request costs the calling thread far more than its entries (the SDK's middleware,
 * signing, a socket write: 1–3 ms of CPU here), and one batch per shard per linger period
 * would make a request per shard: so a batch that is ready waits, for at most `holdMs`, for
 * the batches whose flush started with it, and they go out together. Each batch still gets
 * only its own entries' results, and a shard still has one batch in flight, so the order of
 * each partition key is kept.
 * @internal
 */
export class RequestCollector {
  /** Flushes started that have not submitted or withdrawn yet. */
  private expected = 0;
  private waiting: Submission[] = [];
  private waitingEntries = 0;
  private timer: unknown;

  constructor(
    private readonly kinesis: Pick<KinesisApi, 'putRecords'>,
    private readonly stream: StreamIdentity,
    private readonly clock: Clock,
    private readonly limits: CollectorLimits,
    /** Told of each request once it came back or failed: its time and what it carried. */
    private readonly onRequest?: (ms: number, kinesisRecords: number, userRecords: number) => void,
  ) {}

  /** A flush has started: its batch will be submitted, or withdrawn. */
  expect(): Expected {
    this.expected++;
    return { open: true };
  }

  /** The flush will not submit (it failed before its request); a no-op once it submitted. */
  withdraw(expected: Expected): void {
    if (!expected.open) return;
    expected.open = false;
    this.expected--;
    if (this.expected === 0 && this.waiting.length > 0) this.dispatch();
  }

  /**
   * Sends a batch's entries, with others when they are ready soon enough, and resolves with
   * the batch's results; rejects with the request's error if the request failed as a whole.
   * `userRecords`: how many user records the entries carry (aggregation puts several in one).
   */
  submit(expected: Expected, entries: PutRecordsRequestEntry[], bytes: number, userRecords = entries.length): Promise<CollectedResult> {
    expected.open = false;
    this.expected--;
    return new Promise<CollectedResult>((resolve, reject) => {
      this.waiting.push({ entries, bytes, userRecords, resolve, reject });
      this.waitingEntries += entries.length;
      if (this.expected <= 0 || this.waitingEntries >= this.limits.maxEntries || this.limits.holdMs === 0) {
        this.dispatch();
      } else if (this.timer === undefined) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.dispatch();
        }, this.limits.holdMs);
      }
    });
  }

  private dispatch(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingEntries = 0;
    let request: Submission[] = [];
    let entries = 0;
    let bytes = 0;
    for (const submission of waiting) {
      const fits = entries + submission.entries.length <= this.limits.maxEntries && bytes + submission.bytes <= this.limits.maxBytes;
      if (!fits && request.length > 0) {
        this.sendRequest(request);
        request = [];
        entries = 0;
        bytes = 0;
      }
      request.push(submission);
      entries += submission.entries.length;
      bytes += submission.bytes;
    }
    if (request.length > 0) this.sendRequest(request);
  }

  private sendRequest(submissions: Submission[]): void {
    const entries = submissions.length === 1 ? submissions[0].entries : submissions.flatMap((s) => s.entries);
    const sentAt = this.clock.now();
    const done = () => {
      if (this.onRequest === undefined) return;
      let userRecords = 0;
      for (const submission of submissions) userRecords += submission.userRecords;
      this.onRequest(this.clock.now() - sentAt, entries.length, userRecords);
    };
    this.kinesis.putRecords(this.stream, entries).then(
      (results) => {
        done();
        let offset = 0;
        for (const submission of submissions) {
          const count = submission.entries.length;
          const records: (PutRecordsResultEntry | undefined)[] = new Array(count);
          for (let i = 0; i < count; i++) records[i] = results[offset + i];
          offset += count;
          submission.resolve({ records });
        }
      },
      (error: unknown) => {
        done();
        for (const submission of submissions) submission.reject(error);
      },
    );
  }
}
