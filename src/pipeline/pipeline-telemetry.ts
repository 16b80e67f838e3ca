import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { MILLISECOND_BUCKETS } from '../telemetry/buckets.ts';
import { CounterFeed } from '../telemetry/counter-feed.ts';
import { MeterBinding } from '../telemetry/meter-binding.ts';

/** Who a pipeline's metrics are of: its name and, on the consumer side, the consumer's dimensions. @internal */
export interface PipelineIdentity {
  pipelineName: string;
  applicationName?: string | undefined;
  streamName?: string | undefined;
  workerIdentifier?: string | undefined;
  shardId?: string | undefined;
}

/** The totals a stage worker keeps per batch (plain additions: nothing per record). @internal */
export interface StageCounts {
  in: number;
  out: number;
  dropped: number;
  /** Records of failed attempts, by error code. */
  failed: Map<string, number>;
}

/** What a sink reports once per delivery (one object or load of a buffer). */
export interface DeliveryMetrics {
  /** The data of `records` records (`bytes` of it) is durable after `ms`. */
  delivered(records: number, bytes: number, ms: number): void;
  /** A delivery failed with `code` after `ms`: its records went to error output, or its batches fail. */
  deliveryFailed(code: string, ms: number): void;
}

interface PipelineInstruments {
  recordsIn: Counter;
  recordsOut: Counter;
  recordsDropped: Counter;
  recordsFailed: Counter;
  stageTime: Histogram;
  deliveries: Counter;
  deliveredRecords: Counter;
  deliveredBytes: Counter;
  deliveryFailures: Counter;
  deliveryTime: Histogram;
  pending: ObservableGauge;
  observe: (result: ObservableResult) => void;
}

/** The code a failure is counted under: a framework error's code, else the error's name. @internal */
export function errorCode(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return 'Unknown';
}

/**
 * The OpenTelemetry instruments of one pipeline chain (one shard's, on the consumer side). The
 * record counters are fed at collection time from the totals each stage worker keeps; the
 * stage time histogram is recorded once per batch and stage, deliveries once per delivery.
 * @internal
 */
export class PipelineTelemetry {
  private readonly base: Attributes;
  private readonly byStage = new Map<string, Attributes>();
  private readonly feed = new CounterFeed();
  private readonly binding: MeterBinding<PipelineInstruments>;

  constructor(
    identity: PipelineIdentity,
    private readonly stages: readonly { readonly name: string; readonly counts: StageCounts }[],
    private readonly pendingBatches: () => number,
  ) {
    const base: Attributes = { PipelineName: identity.pipelineName };
    if (identity.applicationName !== undefined) base.ApplicationName = identity.applicationName;
    if (identity.streamName !== undefined) base.StreamName = identity.streamName;
    if (identity.workerIdentifier !== undefined) base.WorkerIdentifier = identity.workerIdentifier;
    if (identity.shardId !== undefined) base.ShardId = identity.shardId;
    this.base = Object.freeze(base);
    this.binding = new MeterBinding(
      (meter) => this.create(meter),
      (i) => i.pending.removeCallback(i.observe),
    );
    this.binding.current();
  }

  /** One batch took `ms` in `stage`. */
  stageTime(stage: string, ms: number): void {
    this.binding.current().stageTime.record(ms, this.stage(stage));
  }

  /** The delivery recorder of the sink `stage`. */
  deliveries(stage: string): DeliveryMetrics {
    return {
      delivered: (records, bytes, ms) => {
        const i = this.binding.current();
        const attributes = this.stage(stage);
        i.deliveries.add(1, attributes);
        i.deliveredRecords.add(records, attributes);
        i.deliveredBytes.add(bytes, attributes);
        i.deliveryTime.record(ms, attributes);
      },
      deliveryFailed: (code, ms) => {
        const i = this.binding.current();
        const attributes = { ...this.stage(stage), ErrorCode: code };
        i.deliveryFailures.add(1, attributes);
        i.deliveryTime.record(ms, attributes);
      },
    };
  }

  /** Feeds the last counts and stops observing. Idempotent. */
  close(): void {
    this.feedCounters(this.binding.current());
    this.binding.close();
  }

  private feedCounters(i: PipelineInstruments): void {
    for (const { name, counts } of this.stages) {
      const attributes = this.stage(name);
      this.feed.feed(`${name}:in`, i.recordsIn, counts.in, attributes);
      this.feed.feed(`${name}:out`, i.recordsOut, counts.out, attributes);
      this.feed.feed(`${name}:dropped`, i.recordsDropped, counts.dropped, attributes);
      for (const [code, count] of counts.failed) this.feed.feed(`${name}:failed:${code}`, i.recordsFailed, count, { ...attributes, ErrorCode: code });
    }
  }

  private stage(name: string): Attributes {
    let attributes = this.byStage.get(name);
    if (attributes === undefined) this.byStage.set(name, (attributes = Object.freeze({ ...this.base, Stage: name })));
    return attributes;
  }

  private create(meter: Meter): PipelineInstruments {
    const counter = (name: string, unit: string, description: string) => meter.createCounter(name, { unit, description });
    const histogram = (name: string, description: string) => meter.createHistogram(name, { unit: 'ms', description, advice: { explicitBucketBoundaries: MILLISECOND_BUCKETS } });
    const instruments: PipelineInstruments = {
      recordsIn: counter('Pipeline.RecordsIn', '{record}', 'Records handed to a stage'),
      recordsOut: counter('Pipeline.RecordsOut', '{record}', 'Records a stage emitted to the next'),
      recordsDropped: counter('Pipeline.RecordsDropped', '{record}', 'Records a stage filtered out: fewer out than in, per batch, for a stage that holds nothing'),
      recordsFailed: counter('Pipeline.RecordsFailed', '{record}', 'Records of stage attempts that threw, by ErrorCode (a batch retried after a restart counts again)'),
      stageTime: histogram('Pipeline.StageTime', 'Per batch and stage: process, then tick or flush'),
      deliveries: counter('Sink.Deliveries', '{delivery}', 'Objects or loads a sink made durable'),
      deliveredRecords: counter('Sink.DeliveredRecords', '{record}', 'Records in the deliveries'),
      deliveredBytes: counter('Sink.DeliveredBytes', 'By', 'Bytes of the delivered objects (encoded, compressed)'),
      deliveryFailures: counter('Sink.DeliveryFailures', '{delivery}', 'Deliveries that failed past their retries, by ErrorCode'),
      deliveryTime: histogram('Sink.DeliveryTime', 'Per delivery, retries included'),
      pending: meter.createObservableGauge('Pipeline.BatchesPending', { unit: '{batch}', description: 'Batches pushed into the pipeline and not yet complete' }),
      observe: (result) => {
        // Runs before the SDK reads the counters: feeding them here makes each collection current.
        this.feedCounters(instruments);
        result.observe(this.pendingBatches(), this.base);
      },
    };
    instruments.pending.addCallback(instruments.observe);
    return instruments;
  }
}
