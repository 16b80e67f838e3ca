import { KinesisActorsError } from '../errors.ts';
import type { ConsumerRecord } from '../consumer/record.ts';
import type { Checkpointer, ProcessorConsumer, RecordProcessor, RecordProcessorFactory } from '../consumer/processor.ts';
import { resolvePipelineOptions, type PipelineOptions } from './options.ts';
import type { Pipeline } from './pipeline.ts';
import { StageChain } from './stage-chain.ts';
import type { FlushReason } from './stage.ts';

/** Largest checkpointed state: a lease row is at most 400 KB. */
export const MAX_CHECKPOINT_STATE_BYTES = 256 * 1024;

type Position = { sequenceNumber: string; subSequenceNumber: number } | undefined;

/**
 * A record processor that runs every shard's records through `pipeline`: one chain of
 * supervised stage actors per shard lease. A batch is checkpointed, with every stage's state,
 * only once every stage is done with it (sinks included), in order. On drain and at the end of
 * a shard the stages are flushed first; on lease loss they are dropped without a checkpoint.
 *
 * @example
 * const consumer = createConsumer({
 *   streamName, applicationName,
 *   processor: pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(parseJson()).pipe(deliverySink({ directory: 'out' }))),
 * });
 */
export function pipelineProcessor(pipeline: Pipeline<ConsumerRecord, unknown>, options: PipelineOptions = {}): RecordProcessorFactory {
  const resolved = resolvePipelineOptions(options);
  return (shardId, consumer) => new PipelineProcessor(pipeline, resolved, shardId, consumer);
}

class PipelineProcessor implements RecordProcessor {
  // Stages work after processRecords returns: an empty read is when their failure surfaces.
  readonly processEmptyBatches = true;
  private chain: StageChain<Position> | undefined;
  private checkpointer: Checkpointer | undefined;
  private last: Position;
  private checkpoints: Promise<void> = Promise.resolve();
  private lastWritten: string | undefined;

  constructor(
    private readonly pipeline: Pipeline<ConsumerRecord, unknown>,
    private readonly options: ReturnType<typeof resolvePipelineOptions>,
    private readonly shardId: string,
    private readonly consumer: ProcessorConsumer | undefined,
  ) {}

  async initialize({ state }: { state?: string }): Promise<void> {
    await this.chain?.close();
    this.checkpoints = Promise.resolve();
    this.checkpointError = undefined;
    this.lastWritten = state;
    const chain = new StageChain<Position>({
      stages: this.pipeline.stages,
      options: this.options,
      shardId: this.shardId,
      identity: { pipelineName: this.options.name, ...this.consumer },
      initialStates: parseState(this.shardId, state),
      deliver: () => undefined,
      completed: (entry) => this.enqueueCheckpoint(entry.meta, entry.states),
      failed: () => {},
      tickMeta: () => this.last,
    });
    this.chain = chain;
    chain.open();
  }

  async processRecords({ records, checkpointer }: { records: ConsumerRecord[]; checkpointer: Checkpointer }): Promise<void> {
    this.checkpointer = checkpointer;
    // A failed checkpoint crashes the shard consumer, which restarts from the last one written.
    if (this.checkpointError) throw this.checkpointError;
    if (this.chain!.error) throw this.chain!.error;
    if (records.length === 0) return;
    const last = records[records.length - 1];
    this.last = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
    await this.chain!.push(records, this.last);
  }

  async shutdownRequested({ checkpointer }: { checkpointer: Checkpointer }): Promise<void> {
    this.checkpointer ??= checkpointer;
    await this.finish('drain');
  }

  async shardEnded({ checkpointer }: { checkpointer: Checkpointer }): Promise<void> {
    this.checkpointer ??= checkpointer;
    await this.finish('shardEnd');
    await checkpointer.checkpoint();
  }

  async leaseLost(): Promise<void> {
    await this.chain?.close();
  }

  /** Flushes every stage, waits for the last checkpoint, then stops the actors. */
  private async finish(reason: FlushReason): Promise<void> {
    const chain = this.chain!;
    try {
      if (chain.error) throw chain.error;
      await chain.drain(this.last, reason);
      await this.checkpoints;
    } finally {
      await chain.close();
    }
  }

  private enqueueCheckpoint(position: Position, states: Record<string, unknown>): void {
    const state = Object.keys(states).length === 0 ? undefined : JSON.stringify(states);
    if (state !== undefined && Buffer.byteLength(state) > MAX_CHECKPOINT_STATE_BYTES) {
      throw new KinesisActorsError(
        'CHECKPOINT_STATE_TOO_LARGE',
        `the pipeline state of ${this.shardId} is ${Buffer.byteLength(state)} bytes, over ${MAX_CHECKPOINT_STATE_BYTES}: keep fewer keys or shorter windows per shard`,
      );
    }
    if (!position || !this.checkpointer) return;
    const checkpointer = this.checkpointer;
    this.checkpoints = this.checkpoints.then(async () => {
      if (state !== undefined && state === this.lastWritten && position === this.writtenAt) return;
      await checkpointer.checkpoint(position, state === undefined ? undefined : { state });
      this.lastWritten = state;
      this.writtenAt = position;
    });
    this.checkpoints.catch((error: unknown) => (this.checkpointError ??= error));
  }

  private writtenAt: Position;
  private checkpointError: unknown;
}

function parseState(shardId: string, state: string | undefined): Record<string, unknown> | undefined {
  if (state === undefined) return undefined;
  try {
    const parsed = JSON.parse(state) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the typed error
  }
  throw new KinesisActorsError('PIPELINE_FAILED', `the checkpointed pipeline state of ${shardId} is not a JSON object; fix or remove its checkpointState attribute`);
}
