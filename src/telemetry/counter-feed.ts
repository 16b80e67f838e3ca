import type { Attributes, Counter } from '@opentelemetry/api';

/**
 * Feeds OpenTelemetry counters from the totals a component keeps anyway (its `metrics()`
 * snapshot): what a total grew by since it was last fed. The component feeds at collection time
 * (from an observable callback, which the SDK runs before it reads the counters) and when it
 * closes, so counting costs nothing per record, and counters of several components with the
 * same attributes add up, as counters do.
 * @internal
 */
export class CounterFeed {
  private readonly fed = new Map<string, number>();

  /** Adds to `counter` what `total` grew by since the last feed under `key`. */
  feed(key: string, counter: Counter, total: number, attributes: Attributes): void {
    const delta = total - (this.fed.get(key) ?? 0);
    if (delta <= 0) return;
    this.fed.set(key, total);
    counter.add(delta, attributes);
  }
}
