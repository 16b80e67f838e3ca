import { KinesisActorsError } from '../../errors.ts';
import { defineStage, type Stage, type StageContext, type StageHandler } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { deliverBuffer, type DeliveryContext, type SealedBuffer } from './deliver.ts';
import { createObjectEncoder } from './encode-object.ts';
import { resolveDeliverySinkOptions, type DeliverySinkOptions, type ResolvedDeliverySinkOptions } from './options.ts';
import { SharedHold } from './shared-hold.ts';
import type { SinkRecord } from './sink-record.ts';

interface OpenBuffer {
  records: SinkRecord[];
  holds: SharedHold[];
  failures: Error[] | undefined;
  bytes: number;
  openedAt: number;
  timer: unknown;
}

/** The buffer key of records whose partition could not be computed (no prefix can equal it). */
const PARTITION_FAILED = '\0partitioning-failed';

/**
 * A stage that delivers every item to a destination the way Kinesis Data Firehose delivers to
 * S3: records are buffered (per partition, with `partitionBy`) until `bufferSizeBytes` or
 * `bufferIntervalMs`, whichever comes first, then written as one object, newline-delimited
 * JSON or Parquet. Each batch is held until every object holding its records is durable, so a
 * checkpoint never covers records that are not written; writes failing for `retryDurationMs`
 * put the records under `errorPrefix` with the reason instead. Emits nothing.
 *
 * @example
 * const chain = Pipeline.from<ConsumerRecord>()
 *   .pipe(parseJson())
 *   .pipe(deliverySink({ directory: './clicks', prefix: 'clicks/', bufferIntervalMs: 60_000, compression: 'gzip' }));
 */
export function deliverySink(options: DeliverySinkOptions = {}): Stage<StreamItem, never> {
  const resolved = resolveDeliverySinkOptions(options);
  return defineStage<StreamItem, never>({ name: resolved.name, create: (ctx) => createDeliverySinkHandler(resolved, ctx) });
}

/** One instance of the sink: its open buffers (one per partition) and the queue of buffers being written, in order. @internal */
export function createDeliverySinkHandler(options: ResolvedDeliverySinkOptions, context: StageContext): StageHandler<StreamItem, never> {
  const { clock } = context;
  const closing = new AbortController();
  const onAbort = () => closing.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  const delivery: DeliveryContext = { options, encoder: createObjectEncoder(options), clock, logger: context.logger, signal: closing.signal, metrics: context.deliveries };
  // Insertion order is opening order: the first entry is the oldest buffer.
  const open = new Map<string, OpenBuffer>();
  let writes: Promise<void> = Promise.resolve();

  const seal = (partition: string): void => {
    const buffer = open.get(partition);
    if (!buffer) return;
    open.delete(partition);
    clock.clearTimeout(buffer.timer);
    const sealed: SealedBuffer = {
      records: buffer.records,
      holds: buffer.holds,
      openedAt: buffer.openedAt,
      bytes: buffer.bytes,
      partition: options.partitioner && partition !== PARTITION_FAILED ? partition : undefined,
      ...(buffer.failures ? { failures: buffer.failures } : {}),
    };
    writes = writes.then(() => deliverBuffer(sealed, delivery));
  };

  const bufferFor = (partition: string): OpenBuffer => {
    let buffer = open.get(partition);
    if (buffer) return buffer;
    if (open.size >= options.maxOpenPartitions) seal(open.keys().next().value!);
    buffer = { records: [], holds: [], failures: undefined, bytes: 0, openedAt: clock.now(), timer: clock.setTimeout(() => seal(partition), options.bufferIntervalMs) };
    open.set(partition, buffer);
    return buffer;
  };

  const toRecord = (item: StreamItem): SinkRecord => {
    const line = options.serialize(item);
    if (typeof line !== 'string') throw new TypeError(`sink ${options.name}: serialize returned ${typeof line}, not a string, for an item`);
    return { value: item.value, line, source: item.source, eventTime: item.eventTime };
  };

  /** Splits a batch by partition, keeping each partition's records in order. */
  const group = (items: readonly StreamItem[]): Map<string, { records: SinkRecord[]; failures: Error[] | undefined }> => {
    const groups = new Map<string, { records: SinkRecord[]; failures: Error[] | undefined }>();
    for (const item of items) {
      const placed = options.partitioner ? options.partitioner(item) : { prefix: '' };
      const key = 'prefix' in placed ? placed.prefix : PARTITION_FAILED;
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { records: [], failures: 'prefix' in placed ? undefined : [] }));
      entry.records.push(toRecord(item));
      if ('error' in placed) entry.failures!.push(placed.error);
    }
    return groups;
  };

  return {
    process(items, ctx) {
      if (closing.signal.aborted) throw new KinesisActorsError('PIPELINE_CLOSED', `sink ${options.name} is closed`);
      if (items.length === 0) return [];
      const groups = group(items);
      const hold = new SharedHold(ctx.hold());
      for (const [partition, { records, failures }] of groups) {
        const bytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.line, 'utf8') + 1, 0);
        // A batch's records of one partition are never split between objects.
        const current = open.get(partition);
        if (current && current.bytes + bytes > options.bufferSizeBytes) seal(partition);
        const buffer = bufferFor(partition);
        buffer.records.push(...records);
        if (failures) (buffer.failures ??= []).push(...failures);
        buffer.bytes += bytes;
        buffer.holds.push(hold);
        hold.take();
        if (buffer.bytes >= options.bufferSizeBytes) seal(partition);
      }
      hold.seal();
      return [];
    },
    tick(now) {
      for (const [partition, buffer] of [...open]) if (now - buffer.openedAt >= options.bufferIntervalMs) seal(partition);
      return [];
    },
    async flush() {
      for (const partition of [...open.keys()]) seal(partition);
      await writes;
      return [];
    },
    close() {
      // Unwritten buffers keep their holds open: the next owner reads those records again.
      for (const buffer of open.values()) clock.clearTimeout(buffer.timer);
      open.clear();
      context.signal.removeEventListener('abort', onAbort);
      closing.abort();
    },
  };
}
