import type { Attributes, BatchObservableCallback, Counter, Histogram, Meter } from '@opentelemetry/api';
import { MILLISECOND_BUCKETS } from '../telemetry/buckets.ts';
import { MeterBinding } from '../telemetry/meter-binding.ts';

interface LeaseInstruments {
  takenLeases: Counter;
  lostLeases: Counter;
  takeTime: Histogram;
  renewTime: Histogram;
  /** Removes the gauges' callback. */
  release: () => void;
}

/**
 * The lease coordinator's OpenTelemetry instruments, named and dimensioned as the KCL's LeaseTaker
 * (Operation 'TakeLeases') and LeaseRenewer (Operation 'RenewAllLeases') metrics, per
 * WorkerIdentifier. Recorded once per round or lease event; the gauges are read at collection time.
 * @internal
 */
export class LeaseTelemetry {
  private readonly taking: Attributes;
  private readonly renewing: Attributes;
  private readonly binding: MeterBinding<LeaseInstruments>;
  private workers = 0;
  private leases = 0;

  constructor(
    workerIdentifier: string,
    private readonly heldLeases: () => number,
  ) {
    this.taking = Object.freeze({ WorkerIdentifier: workerIdentifier, Operation: 'TakeLeases' });
    this.renewing = Object.freeze({ WorkerIdentifier: workerIdentifier, Operation: 'RenewAllLeases' });
    this.binding = new MeterBinding(
      (meter) => this.create(meter),
      (i) => i.release(),
    );
    this.binding.current();
  }

  /** A taker scan saw `leases` leases held by `workers` workers (this one included). */
  scanned(leases: number, workers: number): void {
    this.leases = leases;
    this.workers = workers;
  }

  taken(): void {
    this.binding.current().takenLeases.add(1, this.taking);
  }

  lost(): void {
    this.binding.current().lostLeases.add(1, this.renewing);
  }

  takeRound(ms: number): void {
    this.binding.current().takeTime.record(ms, this.taking);
  }

  renewRound(ms: number): void {
    this.binding.current().renewTime.record(ms, this.renewing);
  }

  /** Stops observing. Idempotent. */
  close(): void {
    this.binding.close();
  }

  private create(meter: Meter): LeaseInstruments {
    const time = (name: string, description: string) => meter.createHistogram(name, { unit: 'ms', description, advice: { explicitBucketBoundaries: MILLISECOND_BUCKETS } });
    const currentLeases = meter.createObservableGauge('CurrentLeases', { unit: '{lease}', description: 'Leases this worker holds' });
    const numWorkers = meter.createObservableGauge('NumWorkers', { unit: '{worker}', description: 'Workers holding leases, as of the last taker scan' });
    const totalLeases = meter.createObservableGauge('TotalLeases', { unit: '{lease}', description: 'Leases in the table, as of the last taker scan' });
    const gauges = [currentLeases, numWorkers, totalLeases];
    const observe: BatchObservableCallback = (result) => {
      result.observe(currentLeases, this.heldLeases(), this.renewing);
      if (this.workers === 0) return;
      result.observe(numWorkers, this.workers, this.taking);
      result.observe(totalLeases, this.leases, this.taking);
    };
    meter.addBatchObservableCallback(observe, gauges);
    return {
      takenLeases: meter.createCounter('TakenLeases', { unit: '{lease}', description: 'Leases this worker took (stolen ones included)' }),
      lostLeases: meter.createCounter('LostLeases', { unit: '{lease}', description: 'Leases this worker lost (taken away, or not renewed in time)' }),
      takeTime: time('LeaseTaker.Time', 'Per taker round: scan, plan, take'),
      renewTime: time('LeaseRenewer.Time', 'Per renewal round over the held leases'),
      release: () => meter.removeBatchObservableCallback(observe, gauges),
    };
  }
}
