import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';

/** The name of the meter every instrument of kinesis-actors is created on. */
export const METER_NAME = 'kinesis-actors';

/**
 * The instruments of one component, created on the global MeterProvider, and created again on
 * the provider an application registers later: the metrics API has no proxy provider (the trace
 * API has one), so instruments made before `metrics.setGlobalMeterProvider()` stay no-ops.
 * `current()` is what the component records through; it costs a global lookup, so a component
 * calls it once per request or batch and keeps the result for the records in it.
 * @internal
 */
export class MeterBinding<I> {
  private provider: MeterProvider | undefined;
  private instruments: I | undefined;
  private closed = false;

  /**
   * `create` makes the instruments on a meter (and registers their callbacks); `release` removes
   * the callbacks from the instruments of a provider left behind or of a closed component.
   */
  constructor(
    private readonly create: (meter: Meter) => I,
    private readonly release: (instruments: I) => void,
  ) {}

  /** The instruments on the provider registered now. */
  current(): I {
    const provider = metrics.getMeterProvider();
    if (provider !== this.provider || this.instruments === undefined) {
      if (this.instruments !== undefined) this.release(this.instruments);
      this.provider = provider;
      this.instruments = this.create(provider.getMeter(METER_NAME));
      if (this.closed) this.release(this.instruments);
    }
    return this.instruments;
  }

  /** Removes the callbacks: a closed component is observed no more. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.instruments !== undefined) this.release(this.instruments);
  }
}
