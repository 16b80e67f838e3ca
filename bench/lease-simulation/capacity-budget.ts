import type { Clock } from '../../src/internal/clock.ts';

/** Units per second a table serves before it throttles. */
export interface CapacityLimits {
  readonly readUnitsPerSecond: number;
  readonly writeUnitsPerSecond: number;
}

/**
 * A new on-demand table serves up to 12,000 read and 4,000 write request units per second at
 * once (DynamoDB's documented initial throughput; it doubles from the previous peak later).
 */
export const newOnDemandTable: CapacityLimits = Object.freeze({ readUnitsPerSecond: 12_000, writeUnitsPerSecond: 4_000 });

/** No limit: for measuring what a design would consume unthrottled. */
export const unlimited: CapacityLimits = Object.freeze({ readUnitsPerSecond: Infinity, writeUnitsPerSecond: Infinity });

/**
 * Per-second budgets of one table: a request that would take the current second past its limit
 * is refused (and consumes nothing), as DynamoDB refuses it with
 * ProvisionedThroughputExceededException. DynamoDB's burst capacity (up to 300 s of unused
 * provisioned capacity) is not modelled, so this throttles somewhat sooner than DynamoDB.
 */
export class CapacityBudget {
  private second = -1;
  private read = 0;
  private write = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits: CapacityLimits,
  ) {}

  /** True, and the units are spent, when this second's budget still holds them. */
  tryConsume(units: { read?: number; write?: number }): boolean {
    const second = Math.floor(this.clock.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.read = 0;
      this.write = 0;
    }
    const read = this.read + (units.read ?? 0);
    const write = this.write + (units.write ?? 0);
    if (read > this.limits.readUnitsPerSecond || write > this.limits.writeUnitsPerSecond) return false;
    this.read = read;
    this.write = write;
    return true;
  }
}
