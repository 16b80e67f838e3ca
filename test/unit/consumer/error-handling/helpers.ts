import { pino, type Logger } from 'pino';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { resolveErrorHandlingOptions, type BatchFailure, type ErrorHandlingOptions } from '../../../../src/consumer/error-handling/options.ts';
import { runBatch, type BatchEvent, type BatchFunction } from '../../../../src/consumer/error-handling/run-batch.ts';
import type { ConsumerRecord } from '../../../../src/consumer/record.ts';

export const START = 1_700_000_000_000;

/** Lets every pending promise callback run (setImmediate comes after the microtask queue). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances the simulated clock in steps, flushing between them, until the promise settles. */
export async function drive<T>(clock: SimulatedClock, promise: Promise<T>, stepMs = 50, maxSteps = 100_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let step = 0; step < maxSteps; step++) {
    await flush();
    if (settled) return promise;
    clock.advance(stepMs);
  }
  throw new Error(`the promise did not settle within ${maxSteps} steps of ${stepMs} ms`);
}

/** Advances the clock until `condition` holds (or fails the test). */
export async function driveUntil(clock: SimulatedClock, condition: () => boolean, stepMs = 50): Promise<void> {
  for (let step = 0; step < 100_000; step++) {
    await flush();
    if (condition()) return;
    clock.advance(stepMs);
  }
  throw new Error('condition never held');
}

/** `count` user records of one shard, one per Kinesis record, arriving at `arrivedAt`. */
export function makeRecords(count: number, arrivedAt = START, shardId = 'shard-0'): ConsumerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    shardId,
    sequenceNumber: String(49_000_000_000 + i * 10),
    subSequenceNumber: 0,
    partitionKey: `pk-${i}`,
    data: Buffer.from(`record-${i}`),
    approximateArrivalTimestamp: new Date(arrivedAt),
  }));
}

export function ids(records: ConsumerRecord[]): string[] {
  return records.map((r) => r.data.toString());
}

/** A pino logger whose lines land in an array. */
export function capturingLogger(): { logger: Logger; lines: { level: number; msg: string; err?: { message: string } }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** Runs a batch on a simulated clock with an onFailure destination that records what it gets. */
export function harness(options: ErrorHandlingOptions = {}, extra: { logger?: Logger; onEvent?: (event: BatchEvent) => void } = {}) {
  const clock = new SimulatedClock(START);
  const controller = new AbortController();
  const failures: BatchFailure[] = [];
  const events: BatchEvent[] = [];
  const resolved = resolveErrorHandlingOptions({
    onFailure: async (failure) => void failures.push(failure),
    ...options,
  });
  const run = (records: ConsumerRecord[], handler: BatchFunction) =>
    runBatch(records, handler, resolved, { shardId: 'shard-0', clock, signal: controller.signal, logger: extra.logger, onEvent: extra.onEvent ?? ((e) => events.push(e)) });
  return { clock, controller, failures, events, run, drive: <T>(promise: Promise<T>) => drive(clock, promise) };
}
