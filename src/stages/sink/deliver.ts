import { sleepUnlessAborted, type Clock } from '../../internal/clock.ts';
import type { Logger } from '../../internal/logger.ts';
import type { Hold } from '../../pipeline/stage.ts';
import { jitteredBackoff } from '../../internal/backoff.ts';
import { encodeObject, errorLines } from './encode-object.ts';
import { SinkDeliveryError } from './errors.ts';
import { objectKey } from './object-key.ts';
import type { ResolvedDeliverySinkOptions } from './options.ts';

/** First delay between write attempts; doubles per attempt with jitter, up to the maximum. */
export const SINK_RETRY_BASE_MS = 500;
/** Largest delay between write attempts (never past the end of the retry duration). */
export const SINK_RETRY_MAX_MS = 10_000;

/** A buffer closed for writing: its lines and the holds of the batches they came from. @internal */
export interface SealedBuffer {
  readonly lines: readonly string[];
  readonly holds: readonly Hold[];
  /** When the buffer received its first record; names the object. */
  readonly openedAt: number;
}

/** What delivering needs from the sink instance. @internal */
export interface DeliveryContext {
  readonly options: ResolvedDeliverySinkOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the instance closes: retries stop and the holds stay open (read again). */
  readonly signal: AbortSignal;
  readonly random?: () => number;
}

type WriteOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: unknown } | { aborted: true };

/**
 * Writes one buffer as one object and settles its holds; never rejects. Failed writes are
 * retried with jittered backoff for `retryDurationMs`; then the records go under
 * `errorPrefix` with the reason, and if that write fails too the holds fail with a
 * {@link SinkDeliveryError}. @internal
 */
export async function deliverBuffer(buffer: SealedBuffer, ctx: DeliveryContext): Promise<void> {
  const { options, logger } = ctx;
  if (ctx.signal.aborted) return;
  const gzip = options.compression === 'gzip';
  const key = objectKey(options.prefix, options.name, buffer.openedAt, gzip);
  const outcome = await writeWithRetry(key, await encodeObject(buffer.lines, options.compression), ctx);
  if ('aborted' in outcome) return;
  if (outcome.ok) {
    logger.debug({ key, records: buffer.lines.length, attempts: outcome.attempts }, 'sink.objectWritten');
    for (const hold of buffer.holds) hold.release();
    return;
  }
  const now = ctx.clock.now();
  const errorKey = objectKey(options.errorPrefix, options.name, now, gzip);
  logger.warn({ err: outcome.error, key, errorKey, attempts: outcome.attempts }, 'sink.deliveryFailed');
  try {
    const body = await encodeObject(errorLines(buffer.lines, outcome.error, outcome.attempts, now), options.compression);
    await options.destination.write(errorKey, body);
    for (const hold of buffer.holds) hold.release();
  } catch (errorWriteError) {
    const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    const error = new SinkDeliveryError(
      `sink ${options.name} could not write ${key} after ${outcome.attempts} attempts (${reason}) nor its records under ${errorKey}`,
      { key, attemptsMade: outcome.attempts, cause: errorWriteError },
    );
    logger.error({ err: error }, 'sink.errorOutputFailed');
    for (const hold of buffer.holds) hold.fail(error);
  }
}

async function writeWithRetry(key: string, body: Uint8Array, ctx: DeliveryContext): Promise<WriteOutcome> {
  const { clock, options } = ctx;
  const start = clock.now();
  for (let attempts = 1; ; attempts++) {
    try {
      await options.destination.write(key, body);
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
