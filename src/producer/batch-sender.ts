import { sleep, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { PutRecordsRequestEntry } from '../kinesis/kinesis-api.ts';
import { entryError, metricCode } from '../kinesis/kinesis-errors.ts';
import type { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { AGGREGATE_PARTITION_KEY, toEncodeTask, type Batch } from './batch.ts';
import { observe, type MetricsRecorder } from './metrics.ts';
import type { ResolvedProducerOptions } from './options.ts';
import type { Misplaced, RecordSettler } from './record-settler.ts';
import type { ShardRouter } from './shard-router.ts';
import type { EncodePool } from './worker-pool.ts';
import type { UserRecord } from './user-record.ts';
import type { ProducerEvents } from './events.ts';
import { releaseFrames } from './release-frames.ts';
import type { Expected, RequestCollector } from './request-collector.ts';
import type { ProducerTelemetry } from './producer-telemetry.ts';

/** What the batch sender needs from the producer. @internal */
export interface BatchSenderDeps {
  options: ResolvedProducerOptions;
  /** Sends the PutRecords requests, several shards' batches in one when they are ready together. */
  collector: RequestCollector;
  pool: EncodePool;
  clock: Clock;
  metrics: MetricsRecorder;
  events: InstrumentationEmitter<ProducerEvents>;
  /** Each shard's rate limiter. */
  router: Pick<ShardRouter, 'limiterOf'>;
  /** What becomes of each user record once its attempt is over. */
  settler: Pick<RecordSettler, 'succeed' | 'retryOrFail' | 'wrongShard'>;
  /** The OpenTelemetry instruments; none in unit tests that do not look at them. */
  telemetry?: Pick<ProducerTelemetry, 'instruments' | 'buffered' | 'kinesisRecordPut'> | undefined;
}

const encoder = new TextEncoder();

function partitionKeyBytes(key: string): number {
  return key.length === 1 ? 1 : encoder.encode(key).length;
}

/**
 * The batch sender: encodes a batch in the worker pool, waits for the shard's rate limit, has
 * the request collector put it, and hands every user record to the settler with the result of
 * its attempt. Failures of Kinesis are handled here; the returned promise rejects only when the
 * sending itself broke (a worker died, a bug), and then the caller re-queues the whole batch.
 * @internal
 */
export function createBatchSender(deps: BatchSenderDeps): (batch: Batch) => Promise<void> {
  const { options, collector, pool, clock, metrics, settler, telemetry } = deps;

  return async function sendBatch(batch: Batch): Promise<void> {
    const expected = collector.expect();
    try {
      await send(batch, expected);
    } finally {
      collector.withdraw(expected);
    }
  };

  async function send(batch: Batch, expected: Expected): Promise<void> {
    const startedAt = clock.now();
    telemetry?.instruments();
    for (const group of batch.groups) {
      for (const record of group) {
        if (record.attempts === 0) {
          observe(metrics.values.BufferingTime, startedAt - record.arrivedAt);
          telemetry?.buffered(startedAt - record.arrivedAt);
        }
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

    const wait = deps.router.limiterOf(batch.shardId).reserve(bytes, entries.length, clock.now());
    if (wait > 0) await sleep(clock, wait);

    const sentAt = clock.now();
    let response;
    try {
      response = await collector.submit(expected, entries, bytes, batch.userRecords);
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
      if (!batch.abandoned) settler.retryOrFail(batch.groups.flat(), error);
      return;
    }
    const durationMs = clock.now() - sentAt;

    const results = response.records;
    const failed: UserRecord[] = [];
    let failedKinesisRecords = 0;
    let lastCode: string | undefined;
    let lastMessage: string | undefined;
    const misplaced: Misplaced[] = [];
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
      telemetry?.kinesisRecordPut(group.length);
      if (result.ShardId !== batch.shardId && group.length > 1) {
        if (group.some(mustFollow)) for (const record of group) retry(record);
        else misplaced.push({ group, shardId: result.ShardId, sequenceNumber: result.SequenceNumber });
        continue;
      }
      for (let i = 0; i < group.length; i++) {
        if (mustFollow(group[i])) retry(group[i]);
        else settler.succeed(group[i], result.ShardId, result.SequenceNumber, group.length > 1 ? i : 0);
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
    if (failed.length > 0 && !batch.abandoned) settler.retryOrFail(failed, lastError!);
    if (misplaced.length > 0) await settler.wrongShard(misplaced, batch.abandoned);
  }
}
