import { createActor, fromCallback, type AnyActorRef } from 'xstate';
import { ShardRouter } from '../../../src/producer/shard-router.ts';
import { RecordLimit } from '../../../src/producer/record-limit.ts';
import { RecordSettler } from '../../../src/producer/record-settler.ts';
import { ProducerActors } from '../../../src/producer/producer-actors.ts';
import { Admission } from '../../../src/producer/backpressure.ts';
import { MetricsRecorder } from '../../../src/producer/metrics.ts';
import type { ProducerEvents } from '../../../src/producer/events.ts';
import type { KinesisApi } from '../../../src/kinesis/kinesis-api.ts';
import { InstrumentationEmitter } from '../../../src/internal/instrumentation-emitter.ts';
import { CauseLog } from '../../../src/internal/cause-log.ts';
import { ShardMap } from '../../../src/producer/shard-map.ts';
import { resolveProducerOptions, type ProducerOptions } from '../../../src/producer/options.ts';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { Supervisor } from '../../../src/supervision/supervisor.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { silentLogger } from '../../../src/internal/logger.ts';
import { MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import type { Batch } from '../../../src/producer/batch.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import { recordBytes } from '../../../src/producer/byte-arena.ts';

export const idOf = (record: UserRecord): number => JSON.parse(Buffer.from(recordBytes(record)).toString()).id;

export const half = MAX_HASH_KEY / 2n;
export const twoShards = new ShardMap(
  [
    { shardId: 'shard-0', startingHashKey: 0n, endingHashKey: half },
    { shardId: 'shard-1', startingHashKey: half + 1n, endingHashKey: MAX_HASH_KEY },
  ],
  1,
);

export const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A shard router, its settler and its shard buffer actors on a simulated clock, with `send` in
 * place of the batch sender (by default it takes every batch as put). With `timersEarlyMs`, the
 * actors' timers of a millisecond or more fire that much early, as Node's may by the clock.
 */
export function harness(overrides: Partial<ProducerOptions> = {}, sendImpl?: (batch: Batch) => Promise<void>, timersEarlyMs = 0) {
  const clock = new SimulatedClock(1_000_000);
  const actorClock = {
    now: () => clock.now(),
    setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms >= 1 ? ms - timersEarlyMs : ms),
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
  const options = resolveProducerOptions({ streamName: 's', ...overrides });
  const batches: Batch[] = [];
  const failed: { record: UserRecord; error: Error }[] = [];
  const escalated: unknown[] = [];
  const restarts: string[] = [];
  let refreshes = 0;
  const supervisor = new Supervisor<AnyActorRef>({
    clock,
    logger: silentLogger(),
    strategy: { minBackoffMs: 10, maxBackoffMs: 10, maxRestarts: 5, withinMs: 60_000 },
    onEscalate: (_id, e) => escalated.push(e),
    onRestart: (id) => restarts.push(id),
  });
  // The producer root, as far as the router asks it for a fresh shard map.
  supervisor.spawn({ id: 'producer', create: () => createActor(fromCallback(({ receive }) => receive(() => void refreshes++))) });
  // The limit of a stream that does not say (1 MiB), as the producer learns it before its first map.
  const recordLimit = new RecordLimit(options.maxUserRecordSize, options.maxOutstandingBytes);
  recordLimit.learn({});
  const router = new ShardRouter({ options, clock, supervisor, recordLimit });
  const metrics = new MetricsRecorder();
  const events = new InstrumentationEmitter<ProducerEvents>();
  const logger = silentLogger();
  const causeLog = new CauseLog(logger, clock);
  const admission = new Admission<UserRecord>(options, clock, { admit: () => {}, turnAway: () => {} });
  const settler = new RecordSettler({ options, clock, metrics, events, causeLog, admission, router });
  const byKey = new Map<string, UserRecord>();
  events.on('producer.recordFailed', ({ partitionKey, error }) => failed.push({ record: byKey.get(partitionKey)!, error }));
  const actors = new ProducerActors({
    options,
    recordLimit,
    clock: actorClock,
    logger,
    causeLog,
    metrics,
    events,
    kinesis: {} as KinesisApi,
    supervisor,
    router,
    settler,
    draining: () => false,
    send:
      sendImpl ??
      (async (batch) => {
        batches.push(batch);
        for (const group of batch.groups) for (const r of group) r.settled = true;
      }),
  });
  const keys = new HashKeyCache();
  const put = (id: number, explicitHashKey: string) => {
    const record = acceptUserRecord({ id }, { partitionKey: `k${id}`, explicitHashKey }, options, keys, clock.now());
    byKey.set(record.partitionKey, record);
    admission.acquire(record.size);
    router.route(record);
    return record;
  };
  const applyMap = (map: ShardMap) => actors.applyMap(map);
  return { clock, router, settler, applyMap, batches, failed, escalated, restarts, put, supervisor, refreshes: () => refreshes };
}

export const low = '1';
export const high = (MAX_HASH_KEY - 1n).toString();
