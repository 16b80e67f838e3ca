import type { Consumer } from '../consumer/consumer.ts';
import type { ConsumerMetrics } from '../consumer/metrics.ts';
import type { Producer } from '../producer/producer.ts';
import type { LeaseMove, ProducerView } from './snapshot.ts';
import { CounterRate } from './counter-rate.ts';

/** One consumer of this process, as sampled in a round. */
export interface SampledWorker {
  workerId: string;
  recordsPerSec: number;
  errors: number;
  millisBehindLatest: Record<string, number>;
}

/** The counters of a consumer that are something going wrong. */
function errorsOf(m: ConsumerMetrics): number {
  return m.CheckpointFailures + m.Restarts + m.InvalidAggregates + m.BadEnvelopes + m.OversizedAggregates + m.RecordsToFailureDestination;
}

/**
 * The consumers and the producer running in this process: their `metrics()` each round, and
 * their events between rounds (user records processed per shard, leases taken and lost as
 * they happen, records that failed for good).
 */
export class ProcessSource {
  private readonly readByShard = new Map<string, number>();
  private readonly shardRates = new Map<string, CounterRate>();
  private readonly workerRates = new Map<Consumer, CounterRate>();
  private readonly putRate = new CounterRate();
  private failed = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly consumers: readonly Consumer[],
    private readonly producer: Producer | undefined,
    onMove: (move: LeaseMove) => void,
  ) {
    for (const consumer of consumers) {
      const workerId = consumer.workerIdentifier;
      this.unsubscribe.push(
        consumer.on('consumer.batch', ({ shardId, records }) => this.readByShard.set(shardId, (this.readByShard.get(shardId) ?? 0) + records)),
        consumer.on('lease.taken', ({ shardId, from }) => onMove({ at: Date.now(), shardId, from, to: workerId })),
        consumer.on('lease.lost', ({ shardId }) => onMove({ at: Date.now(), shardId, from: workerId, to: undefined })),
      );
    }
    if (producer) this.unsubscribe.push(producer.on('producer.recordFailed', () => this.failed++));
  }

  /** User records processed per shard since the dashboard started, and per second over the last round. */
  reads(now: number): Map<string, { total: number; perSec: number }> {
    const out = new Map<string, { total: number; perSec: number }>();
    for (const [shardId, total] of this.readByShard) {
      let rate = this.shardRates.get(shardId);
      if (rate === undefined) this.shardRates.set(shardId, (rate = new CounterRate()));
      out.set(shardId, { total, perSec: rate.sample(total, now) });
    }
    return out;
  }

  workers(now: number): SampledWorker[] {
    return this.consumers.map((consumer) => {
      const m = consumer.metrics();
      let rate = this.workerRates.get(consumer);
      if (rate === undefined) this.workerRates.set(consumer, (rate = new CounterRate()));
      return { workerId: consumer.workerIdentifier, recordsPerSec: rate.sample(m.RecordsProcessed, now), errors: errorsOf(m), millisBehindLatest: m.MillisBehindLatest };
    });
  }

  producerView(now: number): ProducerView | undefined {
    if (!this.producer) return undefined;
    const m = this.producer.metrics();
    const buffered = Object.values(this.producer.bufferedByShard()).reduce((a, b) => a + b, 0);
    return {
      pending: m.UserRecordsPending,
      buffered,
      inFlight: Math.max(0, m.UserRecordsPending - buffered),
      retried: m.RetriesPerRecord.sum,
      failed: this.failed,
      putPerSec: this.putRate.sample(m.UserRecordsPut, now),
      put: m.UserRecordsPut,
      errorsByCode: m.ErrorsByCode,
    };
  }

  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
