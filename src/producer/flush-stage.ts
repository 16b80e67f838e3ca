import { sleep, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { PutRecordsRequestEntry } from '../kinesis/kinesis-api.ts';
import { entryError, metricCode } from '../kinesis/kinesis-errors.ts';
import type { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { AGGREGATE_PARTITION_KEY, toEncodeTask, type Batch } from './batch.ts';
import { observe, type MetricsRecorder } from './metrics.ts';
import type { ResolvedProducerOptions } from './options.ts';
import type { ShardRateLimiter } from './rate-limiter.ts';
import type { ShardMap } from './shard-map.ts';
import type { EncodePool } from './worker-pool.ts';
import type { UserRecord } from './user-record.ts';
import type { ProducerEvents } from './events.ts';
import { releaseFrames } from './release-frames.ts';
import type { Expected, RequestCollector } from './request-collector.ts';

/** What the flush stage needs from the producer. @internal */
export interface FlushStageDeps {
  options: ResolvedProducerOptions;
  /** Sends the PutRecords requests, several shards' batches in one when they are ready together. */
  collector: RequestCollector;
  pool: EncodePool;
  clock: Clock;
  metrics: MetricsRecorder;
  events: InstrumentationEmitter<ProducerEvents>;
  limiter(shardId: string): ShardRateLimiter;
  /** Settles a user record as put. */
  succeed(record: UserRecord, shardId: string, sequenceNumber: string, subSequenceNumber: number): void;
  /** Sends records back for another attempt, or fails them if their time is up. */
  retryOrFail(records: UserRecord[], error: KinesisActorsError): void;
  /** Reloads the shard map (debounced) and resolves with the fresh one. */
  refreshShardMap(): Promise<ShardMap>;
}

const encoder = new TextEncoder();

function partitionKeyBytes(key: string): number {
  return key.length === 1 ? 1 : encoder.encode(key).length;
}

/**
 * The flush stage: encodes a batch in the worker pool, waits for the shard's rate limit, calls
 * PutRecords, and settles or re-queues every user record. Failures of Kinesis are handled here;
 * the returned promise rejects only when the stage itself broke (a worker died, a bug), and then
 * the caller re-queues the whole batch.
 * @internal
 */
export function createFlushStage(deps: FlushStageDeps): (batch: Batch) => Promise<void> {
  const { options, collector, pool, clock, metrics } = deps;

  return async function flushBatch(batch: Batch): Promise<void> {
    const expected = collector.expect();
    try {
      await send(batch, expected);
    } finally {
      collector.withdraw(expected);
    }
  };

  async function send(batch: Batch, expected: Expected): Promise<void> {
    const startedAt = clock.now();
    for (const group of batch.groups) {
      for (const record of group) {
        if (record.attempts === 0) observe(metrics.values.BufferingTime, startedAt - record.arrivedAt);
        record.attempts++;
      }
    }
    const { records: encoded } = await pool.encode(toEncodeTask(batch, options.compression, options.compressionLevel));

    const entries: PutRecordsRequestEntry[] = new Array(encoded.length);
    let bytes = 0;
    for (let g = 0; g < encoded.length; g++) {
      const group = batch.groups[g];
      const first = group[0];
      const single = group.length === 1;
      const partitionKey = single ? first.partitionKey : AGGREGATE_PARTITION_KEY;
      entries[g] = {
        Data: encoded[g],
        PartitionKey: partitionKey,
        ExplicitHashKey: single ? first.explicitHashKey : first.hashKey.toString(),
      };
      bytes += encoded[g].byteLength + partitionKeyBytes(partitionKey);
    }

    const wait = deps.limiter(batch.shardId).reserve(bytes, entries.length, clock.now());
    if (wait > 0) await sleep(clock, wait);

    const sentAt = clock.now();
    let response;
    try {
      response = await collector.submit(expected, entries, bytes);
    } catch (thrown) {
      // The Kinesis boundary classified every failure of Kinesis; anything else is a bug.
      if (!(thrown instanceof KinesisActorsError)) throw thrown;
      // Every record of the batch keeps it as its last error: it must hold nothing of the request.
      const error = releaseFrames(thrown);
      metrics.error(metricCode(error));
      deps.events.emit('producer.putRecords', {
        shardId: batch.shardId,
        kinesisRecords: entries.length,
        userRecords: batch.userRecords,
        bytes,
        durationMs: clock.now() - sentAt,
        failedKinesisRecords: entries.length,
        error,
      });
      if (!batch.abandoned) deps.retryOrFail(batch.groups.flat(), error);
      return;
    }
    const durationMs = clock.now() - sentAt;
    observe(metrics.values.RequestTime, durationMs);

    const results = response.records;
    const failed: UserRecord[] = [];
    let failedKinesisRecords = 0;
    let lastCode: string | undefined;
    let lastMessage: string | undefined;
    const misplaced: { group: UserRecord[]; shardId: string; sequenceNumber: string }[] = [];
    // With preserveOrder, the partition keys of the records to be sent again so far. Kinesis may
    // write a later entry after failing an earlier one, and a later record of such a key, written
    // now, would come before the failed one's retry: it is sent again, with that retry.
    const retriedKeys = options.preserveOrder ? new Set<string>() : undefined;
    const mustFollow = (record: UserRecord) => retriedKeys !== undefined && retriedKeys.size > 0 && retriedKeys.has(record.partitionKey);
    const retry = (record: UserRecord) => {
      failed.push(record);
      retriedKeys?.add(record.partitionKey);
    };
    for (let g = 0; g < batch.groups.length; g++) {
      const group = batch.groups[g];
      const result = results[g];
      if (!result || result.ErrorCode || !result.SequenceNumber || !result.ShardId) {
        const code = result?.ErrorCode ?? 'MissingResult';
        failedKinesisRecords++;
        metrics.error(code);
        lastCode = code;
        lastMessage = result?.ErrorMessage;
        for (const record of group) retry(record);
        continue;
      }
      metrics.values.KinesisRecordsPut++;
      metrics.values.KinesisRecordsDataPut += encoded[g].byteLength;
      observe(metrics.values.UserRecordsPerKinesisRecord, group.length);
      if (result.ShardId !== batch.shardId && group.length > 1) {
        if (group.some(mustFollow)) for (const record of group) retry(record);
        else misplaced.push({ group, shardId: result.ShardId, sequenceNumber: result.SequenceNumber });
        continue;
      }
      for (let i = 0; i < group.length; i++) {
        if (mustFollow(group[i])) retry(group[i]);
        else deps.succeed(group[i], result.ShardId, result.SequenceNumber, group.length > 1 ? i : 0);
      }
    }
    // One error per response, not per failed entry: every failed record keeps it as its last error.
    const lastError = lastCode === undefined ? undefined : releaseFrames(entryError(lastCode, lastMessage));
    deps.events.emit('producer.putRecords', {
      shardId: batch.shardId,
      kinesisRecords: entries.length,
      userRecords: batch.userRecords,
      bytes,
      durationMs,
      failedKinesisRecords,
      error: lastError,
    });
    if (failed.length > 0 && !batch.abandoned) deps.retryOrFail(failed, lastError!);
    if (misplaced.length > 0) await settleMisplaced(deps, misplaced, batch.abandoned);
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
async function settleMisplaced(
  deps: FlushStageDeps,
  misplaced: { group: UserRecord[]; shardId: string; sequenceNumber: string }[],
  abandoned: boolean,
): Promise<void> {
  const map = await deps.refreshShardMap();
  const again: UserRecord[] = [];
  for (const { group, shardId, sequenceNumber } of misplaced) {
    const landed = map.get(shardId);
    if (landed && group.every((r) => r.hashKey >= landed.startingHashKey && r.hashKey <= landed.endingHashKey)) {
      group.forEach((record, i) => deps.succeed(record, shardId, sequenceNumber, i));
      continue;
    }
    deps.metrics.error('WrongShard');
    for (const record of group) again.push(record);
  }
  if (again.length > 0 && !abandoned) {
    deps.retryOrFail(again, releaseFrames(entryError('WrongShard', 'the aggregated record landed on a shard that does not own every user record in it')));
  }
}
