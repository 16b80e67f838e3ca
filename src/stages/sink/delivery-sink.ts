import { KinesisActorsError } from '../../errors.ts';
import { defineStage, type Hold, type Stage, type StageContext, type StageHandler } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { deliverBuffer, type DeliveryContext } from './deliver.ts';
import { resolveDeliverySinkOptions, type DeliverySinkOptions, type ResolvedDeliverySinkOptions } from './options.ts';

interface OpenBuffer {
  lines: string[];
  holds: Hold[];
  bytes: number;
  openedAt: number;
  timer: unknown;
}

/**
 * A stage that delivers every item to a destination as newline-delimited objects, the way
 * Kinesis Data Firehose delivers to S3: records are buffered until `bufferSizeBytes` or
 * `bufferIntervalMs` (whichever comes first), then written as one object under
 * `${prefix}YYYY/MM/DD/HH/`. Each batch is held until its object is durable, so a checkpoint
 * never covers records that are not written; writes failing for `retryDurationMs` put the
 * records under `errorPrefix` with the reason instead. Emits nothing.
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

/** One instance of the sink: its open buffer and the queue of buffers being written, in order. @internal */
export function createDeliverySinkHandler(options: ResolvedDeliverySinkOptions, context: StageContext): StageHandler<StreamItem, never> {
  const { clock } = context;
  const closing = new AbortController();
  const onAbort = () => closing.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  const delivery: DeliveryContext = { options, clock, logger: context.logger, signal: closing.signal };
  let open: OpenBuffer | undefined;
  let writes: Promise<void> = Promise.resolve();

  const seal = (): void => {
    const buffer = open;
    if (!buffer) return;
    open = undefined;
    clock.clearTimeout(buffer.timer);
    writes = writes.then(() => deliverBuffer(buffer, delivery));
  };

  const serialize = (item: StreamItem): string => {
    const line = options.serialize(item);
    if (typeof line !== 'string') throw new TypeError(`sink ${options.name}: serialize returned ${typeof line}, not a string, for an item`);
    return line;
  };

  return {
    process(items, ctx) {
      if (closing.signal.aborted) throw new KinesisActorsError('PIPELINE_CLOSED', `sink ${options.name} is closed`);
      if (items.length === 0) return [];
      const lines = items.map(serialize);
      const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
      // A batch is never split: its one hold belongs to one object.
      if (open && open.bytes + bytes > options.bufferSizeBytes) seal();
      open ??= { lines: [], holds: [], bytes: 0, openedAt: clock.now(), timer: clock.setTimeout(seal, options.bufferIntervalMs) };
      open.lines.push(...lines);
      open.bytes += bytes;
      open.holds.push(ctx.hold());
      if (open.bytes >= options.bufferSizeBytes) seal();
      return [];
    },
    tick(now) {
      if (open && now - open.openedAt >= options.bufferIntervalMs) seal();
      return [];
    },
    async flush() {
      seal();
      await writes;
      return [];
    },
    close() {
      // Unwritten buffers keep their holds open: the next owner reads those records again.
      if (open) clock.clearTimeout(open.timer);
      open = undefined;
      context.signal.removeEventListener('abort', onAbort);
      closing.abort();
    },
  };
}
