import type { CauseLog } from '../internal/cause-log.ts';
import type { Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { Admission } from './backpressure.ts';
import { releaseBytes } from './byte-arena.ts';
import type { Batch } from './batch.ts';
import type { ProducerEvents } from './events.ts';
import { entryError } from '../kinesis/kinesis-errors.ts';
import { observe, type MetricsRecorder } from './metrics.ts';
import type { ProducerTelemetry } from './producer-telemetry.ts';
import type { ResolvedProducerOptions } from './options.ts';
import { releaseFrames } from './release-frames.ts';
import type { ShardRouter } from './shard-router.ts';
import type { UserRecord } from './user-record.ts';

const noop = () => {};

/**
 * Rejects a user record's promise, or tells its `putMany()` group. A caller that fires and forgets
 * must not crash on an unhandled rejection; the failure is in the metrics and the instrumentation
 * events, and awaiting callers still see it.
 * @internal
 */
export function rejectUserRecord(record: UserRecord, error: Error): void {
  record.settled = true;
  if (record.reject !== undefined) {
    record.promise!.catch(noop);
    record.reject(error);
  }
  record.group?.failed(record, error);
}

/** A Kinesis record put, but on another shard than the one its user records were predicted for. @internal */
export interface Misplaced {
  group: UserRecord[];
  shardId: string;
  sequenceNumber: string;
}

/** What the settler needs from the producer. @internal */
export interface RecordSettlerDeps {
  options: ResolvedProducerOptions;
  clock: Clock;
  metrics: MetricsRecorder;
  events: InstrumentationEmitter<ProducerEvents>;
  /** Warnings about expiries, once per distinct cause. */
  causeLog: CauseLog;
  admission: Admission<UserRecord>;
  /** Where a record to be sent again goes back to (its shard's buffer), and the fresh shard map. */
  router: Pick<ShardRouter, 'shardIdOf' | 'requeue' | 'keepUnrouted' | 'refreshMap'>;
  /** The OpenTelemetry instruments; none in unit tests that do not look at them. */
  telemetry?: Pick<ProducerTelemetry, 'settled'> | undefined;
}

/**
 * Decides and records what happens to a user record once it has left its shard buffer: put,
 * sent again after a backoff, expired, failed, or put on another shard than predicted. Settling a record resolves or rejects its
 * promise, counts it in the metrics, lets go of its arena bytes and releases its admission, all
 * exactly once.
 * @internal
 */
export class RecordSettler {
  /** The last expiry error made, for the records that expire with it (see {@link expired}). */
  private lastExpiry: { cause: Error | undefined; attempts: number; error: KinesisActorsError } | undefined;

  constructor(private readonly deps: RecordSettlerDeps) {}

  /** Settles a record as put: Kinesis acknowledged the Kinesis record that carries it. */
  succeed(record: UserRecord, shardId: string, sequenceNumber: string, subSequenceNumber: number): void {
    if (record.settled) return;
    record.settled = true;
    const m = this.deps.metrics.values;
    m.UserRecordsPut++;
    m.UserRecordsDataPut += record.size;
    observe(m.RetriesPerRecord, record.attempts - 1);
    this.deps.telemetry?.settled(record.attempts - 1);
    this.release(record);
    // A result object only for a caller that waits on this record's own promise.
    if (record.resolve !== undefined) record.resolve({ shardId, sequenceNumber, subSequenceNumber, attempts: record.attempts });
    record.group?.succeeded();
  }

  /** Settles a record as failed for good. */
  fail(record: UserRecord, error: Error): void {
    if (record.settled) return;
    record.settled = true;
    const { metrics, events, causeLog, options } = this.deps;
    const m = metrics.values;
    if ((error as KinesisActorsError).code === 'RECORD_EXPIRED') {
      m.UserRecordExpired++;
      const cause = error.cause instanceof Error ? error.cause : error;
      causeLog.warn('producer.recordsExpired', cause, { recordTtl: options.recordTtl, attempts: record.attempts });
    }
    observe(m.RetriesPerRecord, Math.max(0, record.attempts - 1));
    this.deps.telemetry?.settled(Math.max(0, record.attempts - 1));
    this.release(record);
    if (events.has('producer.recordFailed')) events.emit('producer.recordFailed', { partitionKey: record.partitionKey, attempts: record.attempts, error });
    rejectUserRecord(record, error);
  }

  private release(record: UserRecord): void {
    releaseBytes(record);
    this.deps.metrics.values.UserRecordsPending--;
    this.deps.admission.release(record.size);
  }

  /**
   * Sends records back after a failed attempt with jittered backoff, or fails those out of time.
   * With `preserveOrder` the records of a shard share one backoff, drawn for the most tried of
   * them: they leave together, oldest first, ahead of anything newer of their shard.
   */
  retryOrFail(records: readonly UserRecord[], error: KinesisActorsError): void {
    const { clock, options, router } = this.deps;
    const now = clock.now();
    const byShard = new Map<string | undefined, UserRecord[]>();
    for (const record of records) {
      if (record.settled) continue;
      record.lastError = error;
      if (options.failIfThrottled && error.code === 'THROTTLED') {
        this.fail(record, error);
        continue;
      }
      const shardId = router.shardIdOf(record);
      let list = byShard.get(shardId);
      if (!list) byShard.set(shardId, (list = []));
      list.push(record);
    }
    for (const [shardId, list] of byShard) {
      const shared = options.preserveOrder ? this.backoff(list.reduce((most, r) => Math.max(most, r.attempts), 0)) : undefined;
      const live = list.filter((record) => {
        record.notBefore = now + (shared ?? this.backoff(record.attempts));
        if (record.notBefore < record.deadline) return true;
        this.fail(record, this.expired(record));
        return false;
      });
      if (live.length > 0) router.requeue(shardId, live);
    }
  }

  /**
   * An aggregate landed on another shard than predicted: the map is stale (a reshard). If the
   * fresh map says the shard it landed on owns every user record in it, every reader keeps it.
   * Otherwise a KCL reading that shard drops the whole aggregate (AggregatorUtil discards it as
   * soon as one user record is outside the shard's range), so every user record of it is sent
   * again, through the fresh map, and none is reported as put from this attempt. Readers that keep
   * such an aggregate (aws-kinesis-agg, Lambda) then see its in-range records twice: at least
   * once, as after any retry.
   */
  async wrongShard(misplaced: Misplaced[], abandoned: boolean): Promise<void> {
    const map = await this.deps.router.refreshMap();
    const again: UserRecord[] = [];
    for (const { group, shardId, sequenceNumber } of misplaced) {
      const landed = map.get(shardId);
      if (landed && group.every((r) => r.hashKey >= landed.startingHashKey && r.hashKey <= landed.endingHashKey)) {
        group.forEach((record, i) => this.succeed(record, shardId, sequenceNumber, i));
        continue;
      }
      this.deps.metrics.error('WrongShard');
      for (const record of group) again.push(record);
    }
    if (again.length > 0 && !abandoned) {
      this.retryOrFail(again, releaseFrames(entryError('WrongShard', 'the aggregated record landed on a shard that does not own every user record in it')));
    }
  }

  private backoff(attempts: number): number {
    return jitteredBackoff(attempts, this.deps.options.retryBaseDelayMs, this.deps.options.retryMaxDelayMs);
  }

  /** Fails the records of a batch just cut whose time is up; true when there was one. */
  expireDue(batch: Batch, now: number): boolean {
    let expired = false;
    for (const group of batch.groups) {
      for (const record of group) {
        if (record.deadline <= now) {
          expired = true;
          this.fail(record, this.expired(record));
        }
      }
    }
    return expired;
  }

  /** Fails unrouted records whose time is up when no map can be loaded; `error` is why, their cause. */
  expireUnrouted(error: Error): void {
    const now = this.deps.clock.now();
    this.deps.router.keepUnrouted((record) => {
      if (record.settled) return false;
      record.lastError = error;
      if (record.deadline > now) return true;
      this.fail(record, this.expired(record));
      return false;
    });
  }

  /**
   * The error a record that outlived `recordTtl` fails with. Records that expire together came
   * from the same failed attempt (or were never sent), so they share one error, as rejections
   * under backpressure do: at overload tens of thousands of records expire within seconds, and
   * an Error with a captured stack each made the heap peak well above what is outstanding.
   */
  private expired(record: UserRecord): KinesisActorsError {
    const last = this.lastExpiry;
    if (last !== undefined && last.cause === record.lastError && last.attempts === record.attempts) return last.error;
    const why = record.lastError
      ? `; last error: ${record.lastError.message}`
      : record.attempts === 0
        ? '; it was never sent: it waited in its shard buffer behind the rate limit or a request still in flight'
        : '';
    const error = releaseFrames(
      new KinesisActorsError(
        'RECORD_EXPIRED',
        `the record was not put within options.recordTtl (${this.deps.options.recordTtl} ms) after ${record.attempts} PutRecords attempts${why}`,
        { cause: record.lastError },
      ),
    );
    this.lastExpiry = { cause: record.lastError, attempts: record.attempts, error };
    return error;
  }
}
