import { sleepUnlessAborted, type Clock } from '../../internal/clock.ts';
import type { Logger } from '../../internal/logger.ts';
import { jitteredBackoff } from '../../internal/backoff.ts';
import type { SinkDestination, SinkObject } from './destination.ts';
import { errorLine, type ObjectEncoder } from './encode-object.ts';
import { SinkDeliveryError } from './errors.ts';
import { hourFolder, objectName, objectTime } from './object-key.ts';
import type { ResolvedDeliverySinkOptions } from './options.ts';
import type { SharedHold } from './shared-hold.ts';
import type { SinkRecord } from './sink-record.ts';
import { errorCode, type DeliveryMetrics } from '../../pipeline/pipeline-telemetry.ts';

/** First delay between write attempts; doubles per attempt with jitter, up to the maximum. */
export const SINK_RETRY_BASE_MS = 500;
/** Largest delay between write attempts (never past the end of the retry duration). */
export const SINK_RETRY_MAX_MS = 10_000;

/** A buffer closed for writing: its records and the holds of the batches they came from. @internal */
export interface SealedBuffer {
  readonly records: readonly SinkRecord[];
  readonly holds: readonly SharedHold[];
  /** When the buffer received its first record. */
  readonly openedAt: number;
  /** The partition prefix of its records, when the sink partitions. */
  readonly partition: string | undefined;
  /** The bytes of its records' lines (newlines included): what a records destination's load counts. */
  readonly bytes?: number;
  /** Set for the buffer of records whose partition could not be computed: why, per record. */
  readonly failures?: readonly Error[];
}

/** What delivering needs from the sink instance. @internal */
export interface DeliveryContext {
  readonly options: ResolvedDeliverySinkOptions;
  readonly encoder: ObjectEncoder;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the instance closes: retries stop and the holds stay open (read again). */
  readonly signal: AbortSignal;
  readonly random?: () => number;
  /** Told once per delivery of a buffer's data object. */
  readonly metrics?: DeliveryMetrics | undefined;
}

type WriteOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: unknown } | { aborted: true };

/** Error output of records that failed with their own reasons, under `${errorPrefix}${type}/`. */
interface ErrorGroup {
  type: string;
  entries: readonly { record: SinkRecord; error: unknown }[];
  attempts: number;
  /** The data object's key, when these records failed to be written there. */
  dataKey?: string;
}

/**
 * Writes one buffer and settles its holds; never rejects. The records that fit the format are
 * written as one object, retried with jittered backoff for `retryDurationMs`, then put under
 * `errorPrefix` with the reason; records that could not be partitioned or encoded go under
 * `${errorPrefix}partitioning-failed/` or `${errorPrefix}format-conversion-failed/`. If error
 * output cannot be written either, the holds fail with a {@link SinkDeliveryError}. @internal
 */
export async function deliverBuffer(buffer: SealedBuffer, ctx: DeliveryContext): Promise<void> {
  const { options, logger } = ctx;
  if (ctx.signal.aborted) return;
  try {
    const groups: ErrorGroup[] = [];
    if (buffer.failures) {
      groups.push({ type: 'partitioning-failed/', entries: buffer.records.map((record, i) => ({ record, error: buffer.failures![i] })), attempts: 0 });
    } else {
      const { object, rejected } = await ctx.encoder.encode(buffer.records);
      if (rejected.length > 0) groups.push({ type: 'format-conversion-failed/', entries: rejected, attempts: 0 });
      if (object) {
        const key = `${options.prefix}${buffer.partition ?? hourFolder(objectTime(object.records, buffer.openedAt))}${objectName(options.name, object.records, buffer.openedAt, object.extension)}`;
        const started = ctx.clock.now();
        const outcome = await writeWithRetry(options.destination, key, object.body, object, ctx);
        if ('aborted' in outcome) return;
        if (outcome.ok) ctx.metrics?.delivered(object.records.length, options.loadsRecords ? (buffer.bytes ?? 0) : object.body.byteLength, ctx.clock.now() - started);
        else ctx.metrics?.deliveryFailed(errorCode(outcome.error), ctx.clock.now() - started);
        if (outcome.ok) {
          logger.debug({ key, records: object.records.length, attempts: outcome.attempts }, 'sink.objectWritten');
        } else {
          logger.warn({ err: outcome.error, key, attempts: outcome.attempts }, 'sink.deliveryFailed');
          groups.unshift({ type: '', entries: object.records.map((record) => ({ record, error: outcome.error })), attempts: outcome.attempts, dataKey: key });
        }
      }
    }
    for (const group of groups) {
      if (!(await writeErrorOutput(group, buffer, ctx))) return;
    }
    for (const hold of buffer.holds) hold.release();
  } catch (error) {
    const failure = new SinkDeliveryError(`sink ${options.name} could not deliver a buffer of ${buffer.records.length} records`, { key: '', attemptsMade: 0, cause: error });
    logger.error({ err: failure }, 'sink.deliveryCrashed');
    for (const hold of buffer.holds) hold.fail(failure);
  }
}

/** Writes one error object; false (with the holds failed) when it cannot be, or when the sink closed. */
async function writeErrorOutput(group: ErrorGroup, buffer: SealedBuffer, ctx: DeliveryContext): Promise<boolean> {
  const { options, logger } = ctx;
  const now = ctx.clock.now();
  const records = group.entries.map((e) => e.record);
  const encoded = await ctx.encoder.encodeLines(group.entries.map(({ record, error }) => errorLine(record, error, group.attempts, now)));
  const key = `${options.errorPrefix}${group.type}${hourFolder(now)}${objectName(options.name, records, now, encoded.extension)}`;
  // Data that failed for retryDurationMs gets one try here: the destination is likely down.
  const errorOptions = group.type === '' ? { ...ctx, options: { ...options, retryDurationMs: 0 } } : ctx;
  const outcome = await writeWithRetry(options.errorDestination, key, encoded.body, { records, contentType: encoded.contentType }, errorOptions);
  if ('aborted' in outcome) return false;
  if (outcome.ok) {
    logger.warn({ key, records: records.length, type: group.type || 'delivery-failed' }, 'sink.errorOutputWritten');
    return true;
  }
  const first = group.entries[0].error;
  const reason = first instanceof Error ? first.message : String(first);
  const what = group.dataKey ? `write ${group.dataKey} after ${group.attempts} attempts` : `deliver ${records.length} records`;
  const error = new SinkDeliveryError(`sink ${options.name} could not ${what} (${reason}) nor its records under ${key}`, {
    key: group.dataKey ?? key,
    attemptsMade: group.attempts,
    cause: outcome.error,
  });
  logger.error({ err: error }, 'sink.errorOutputFailed');
  for (const hold of buffer.holds) hold.fail(error);
  return false;
}

async function writeWithRetry(destination: SinkDestination, key: string, body: Uint8Array, object: SinkObject, ctx: DeliveryContext): Promise<WriteOutcome> {
  const { clock, options } = ctx;
  const start = clock.now();
  for (let attempts = 1; ; attempts++) {
    try {
      await destination.write(key, body, object);
      return { ok: true, attempts };
    } catch (error) {
      if (ctx.signal.aborted) return { aborted: true };
      const elapsed = clock.now() - start;
      // Programming errors (a bad key, a broken destination) will not heal by waiting.
      if (error instanceof TypeError || error instanceof RangeError || elapsed >= options.retryDurationMs) {
        return { ok: false, attempts, error };
      }
      const delay = Math.min(jitteredBackoff(attempts, SINK_RETRY_BASE_MS, SINK_RETRY_MAX_MS, ctx.random), options.retryDurationMs - elapsed);
      ctx.logger.debug({ err: error, key, attempts, delay }, 'sink.writeRetry');
      if (!(await sleepUnlessAborted(clock, delay, ctx.signal))) return { aborted: true };
    }
  }
}
