import { sleepUnlessAborted, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { KinesisApi, StartPosition, SubscriptionEvent } from './kinesis-api.ts';
import { isProgrammingError, ResourceInUseError } from './kinesis-errors.ts';
import type { ReadResult } from './shard-reader.ts';
import type { ShardRecordsReader } from './shard-records-reader.ts';

/** Buffering and pacing of a {@link FanOutReader}. @internal */
export interface FanOutReaderOptions {
  /** Events received and not yet read, at most; the subscription is paused while it is full. The KCL keeps 10. */
  maxBufferedEvents: number;
  /** At least this long between two SubscribeToShard calls on the shard (Kinesis allows one per second). */
  minTimeBetweenSubscribesMs: number;
  /** Backoff of a re-subscribe after a failed subscription. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * Wait after ResourceInUseException (a subscription to the shard is still open, e.g. of the
   * worker that held the lease before), growing with each refusal up to five times this.
   */
  resourceInUseDelayMs: number;
  /** Ends each subscription after this long and subscribes again; Kinesis ends them after five minutes. @defaultValue never */
  renewAfterMs?: number | undefined;
}

/**
 * Why a subscription was made: the shard's first, a renewal after the one before ended
 * (Kinesis ends each after five minutes, or `renewAfterMs`), or a re-subscribe after a failure.
 * @internal
 */
export type SubscriptionKind = 'first' | 'renewal' | 'afterError';

/** What the reader tells about its subscriptions. @internal */
export interface FanOutReaderReport {
  /** A subscription was accepted (a refusal with ResourceInUseException is not one). */
  subscribed(kind: SubscriptionKind): void;
  /** An event of a subscription was received. */
  eventReceived(): void;
  /** SubscribeToShard was refused with ResourceInUseException; it is tried again after a wait. */
  resourceInUse(): void;
}

type Item = { event: SubscriptionEvent } | { error: unknown };

const NO_RECORDS: ReadResult = { records: [], millisBehindLatest: undefined, shardEnded: false };

/**
 * Reads one shard by enhanced fan-out: a SubscribeToShard subscription from the start position,
 * renewed when it ends from the last event's ContinuationSequenceNumber, re-subscribed with a
 * jittered backoff after a failure (longer after ResourceInUseException). At most
 * `maxBufferedEvents` events wait for the shard consumer; while they do, no more are pulled,
 * so HTTP/2 flow control pauses the stream. An event without a continuation is the shard's end.
 * `close()` ends the subscription and releases its HTTP/2 stream.
 * @internal
 */
export class FanOutReader implements ShardRecordsReader {
  private position: StartPosition = { type: 'TRIM_HORIZON' };
  private continuation: string | undefined;
  private readonly queue: Item[] = [];
  private readonly stop = new AbortController();
  private pump: Promise<void> | undefined;
  private wakeReader: (() => void) | undefined;
  private wakePump: (() => void) | undefined;
  private lastSubscribeAt = -Infinity;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly kinesis: KinesisApi,
    private readonly consumerArn: string,
    readonly shardId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: FanOutReaderOptions,
    private readonly report?: FanOutReaderReport,
  ) {}

  async start(position: StartPosition): Promise<void> {
    this.position = position;
  }

  async read(signal: AbortSignal): Promise<ReadResult> {
    this.pump ??= this.subscribeUntilEnd().catch((error: unknown) => this.push({ error }));
    for (;;) {
      const item = this.queue.shift();
      if (item) {
        this.wakePump?.();
        if ('error' in item) throw item.error;
        const { records, millisBehindLatest, continuationSequenceNumber } = item.event;
        return { records, millisBehindLatest, shardEnded: continuationSequenceNumber === undefined };
      }
      if (signal.aborted || this.stop.signal.aborted) return NO_RECORDS;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          this.wakeReader = undefined;
          resolve();
        };
        this.wakeReader = wake;
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      this.wakePump?.();
      this.wakeReader?.();
      await this.pump;
      this.queue.length = 0;
    })();
    return this.closing;
  }

  private push(item: Item): void {
    this.queue.push(item);
    this.wakeReader?.();
  }

  private async roomInQueue(): Promise<void> {
    while (this.queue.length >= this.options.maxBufferedEvents && !this.stop.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.wakePump = () => {
          this.wakePump = undefined;
          resolve();
        };
      });
    }
  }

  /** Subscribes, again and again, until the shard ends, a failure cannot pass, or `close()`. */
  private async subscribeUntilEnd(): Promise<void> {
    const stop = this.stop.signal;
    let failures = 0;
    let inUse = 0;
    let kind: SubscriptionKind = 'first';
    while (!stop.aborted) {
      const gap = this.lastSubscribeAt + this.options.minTimeBetweenSubscribesMs - this.clock.now();
      if (gap > 0 && !(await sleepUnlessAborted(this.clock, gap, stop))) return;
      const subscription = new AbortController();
      const onStop = () => subscription.abort();
      stop.addEventListener('abort', onStop, { once: true });
      let renew: unknown;
      // Reported once it is known not to be a refusal: an emulator may send ResourceInUseException
      // as the first message of an accepted stream instead of refusing the call.
      let accepted = false;
      let reported = false;
      const started = () => {
        if (reported || !accepted) return;
        reported = true;
        this.report?.subscribed(kind);
      };
      try {
        this.lastSubscribeAt = this.clock.now();
        const position: StartPosition = this.continuation ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.continuation } : this.position;
        const events = await this.kinesis.subscribeToShard(this.consumerArn, this.shardId, position, subscription.signal);
        accepted = true;
        // Counted from the subscription's start, as Kinesis counts its five minutes.
        if (this.options.renewAfterMs !== undefined) renew = this.clock.setTimeout(() => subscription.abort(), this.options.renewAfterMs);
        for await (const event of events) {
          started();
          this.report?.eventReceived();
          failures = 0;
          inUse = 0;
          if (event.continuationSequenceNumber !== undefined) this.continuation = event.continuationSequenceNumber;
          await this.roomInQueue();
          if (stop.aborted) return;
          this.push({ event });
          if (event.continuationSequenceNumber === undefined) return;
          if (subscription.signal.aborted) break;
        }
        started();
        kind = 'renewal';
      } catch (error) {
        // Renewal ends a subscription by aborting it: that is no failure.
        if (subscription.signal.aborted) {
          started();
          if (reported) kind = 'renewal';
          continue;
        }
        if (isProgrammingError(error) || !(error instanceof KinesisActorsError) || !error.retriable) {
          started();
          this.push({ error });
          return;
        }
        const refused = error instanceof ResourceInUseError && !reported;
        if (refused) {
          this.report?.resourceInUse();
        } else {
          started();
          kind = 'afterError';
        }
        const delay =
          error instanceof ResourceInUseError
            ? jitteredBackoff(++inUse, this.options.resourceInUseDelayMs, 5 * this.options.resourceInUseDelayMs)
            : jitteredBackoff(++failures, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs);
        this.logger.debug({ err: error, delayMs: delay }, 'fanOut.resubscribe');
        await sleepUnlessAborted(this.clock, delay, stop);
      } finally {
        if (renew !== undefined) this.clock.clearTimeout(renew);
        stop.removeEventListener('abort', onStop);
        subscription.abort();
      }
    }
  }
}
