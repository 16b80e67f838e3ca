import { InvalidOptionError, KinesisActorsError } from '../errors.ts';
import type { PutOptions } from '../producer/user-record.ts';
import { resolvePipelineOptions, type PipelineOptions } from './options.ts';
import type { Pipeline } from './pipeline.ts';
import { putItem, toTargets, type PutTarget, type PutTargets } from './put-target.ts';
import { StageChain } from './stage-chain.ts';
import type { StreamItem } from './stream-item.ts';

/** Options of {@link createProducerPipeline}. */
export interface ProducerPipelineOptions extends PipelineOptions {
  /** Stages every put goes through; the last emits the items to put. */
  pipeline: Pipeline<StreamItem, StreamItem>;
  /**
   * Where items are put: one target (a `Producer`), or targets by stream name, chosen by each
   * item's `stream` (the first one when it has none).
   */
  targets: PutTargets;
}

/**
 * Producer-side stages in front of one or more producers: transform, enrich, filter and route
 * before records are put. `put()` resolves with the results of every record the stages emitted
 * (none when they dropped it) once Kinesis acknowledged them.
 *
 * @example
 * const clicks = createProducerPipeline({ pipeline: Pipeline.from<StreamItem>().pipe(maskFields({ fields: { ip: 'maskIp' } })), targets: producer });
 * await clicks.put({ page: '/home', ip: '203.0.113.7' }, { partitionKey: 'user-1' });
 */
export class ProducerPipeline implements PutTarget {
  private readonly chain: StageChain<undefined>;
  private readonly targets: Map<string, PutTarget>;
  private closing: Promise<void> | undefined;

  constructor(options: ProducerPipelineOptions) {
    const resolved = resolvePipelineOptions(options);
    if (!options.pipeline || !Array.isArray(options.pipeline.stages)) throw new InvalidOptionError('pipeline', 'must be a Pipeline (Pipeline.from<StreamItem>().pipe(...))', options.pipeline);
    this.targets = toTargets(options.targets);
    this.chain = new StageChain<undefined>({
      stages: options.pipeline.stages,
      options: resolved,
      deliver: (items) => this.putAll(items as StreamItem[]),
      completed: () => {},
      failed: () => {},
      tickMeta: () => undefined,
    });
    this.chain.open();
  }

  /**
   * Runs one record through the stages and puts what they emit. Waits while the stages are
   * full; rejects with the first put's error, or with `PIPELINE_FAILED` / `PIPELINE_CLOSED`.
   */
  async put(value: unknown, options: PutOptions): Promise<unknown[]> {
    if (this.closing) throw new KinesisActorsError('PIPELINE_CLOSED', 'put() was called after close()');
    if (options === null || typeof options !== 'object') throw new InvalidOptionError('put options', 'must be an object with partitionKey', options);
    const item: StreamItem = { value, partitionKey: options.partitionKey, ...(options.explicitHashKey === undefined ? {} : { explicitHashKey: options.explicitHashKey }) };
    const { done } = await this.chain.push([item], undefined);
    const entry = await done;
    const settled = (entry.result ?? []) as PromiseSettledResult<unknown>[];
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
  }

  /** Flushes every stage and puts what they held; then stops the stage actors. Does not close the targets. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (!this.chain.error) await this.chain.drain(undefined, 'close');
      } finally {
        await this.chain.close();
      }
    })();
    return this.closing;
  }

  private putAll(items: StreamItem[]): Promise<PromiseSettledResult<unknown>[]> {
    return Promise.allSettled(
      items.map((item) => {
        return putItem(this.targets, item);
      }),
    );
  }
}

/** Creates a {@link ProducerPipeline}. */
export function createProducerPipeline(options: ProducerPipelineOptions): ProducerPipeline {
  return new ProducerPipeline(options);
}
