/** What a set of requests cost. */
export interface CapacityTotals {
  requests: number;
  readUnits: number;
  writeUnits: number;
  throttled: number;
  /** Requests per operation name (Scan, Query, GetItem, PutItem, UpdateItem, DeleteItem). */
  byOperation: Record<string, number>;
}

export function emptyTotals(): CapacityTotals {
  return { requests: 0, readUnits: 0, writeUnits: 0, throttled: 0, byOperation: {} };
}

/** The difference of two readings of a meter: what was spent between them. */
export function spentBetween(before: CapacityTotals, after: CapacityTotals): CapacityTotals {
  const byOperation: Record<string, number> = {};
  for (const [op, count] of Object.entries(after.byOperation)) {
    const spent = count - (before.byOperation[op] ?? 0);
    if (spent > 0) byOperation[op] = spent;
  }
  return {
    requests: after.requests - before.requests,
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
    throttled: after.throttled - before.throttled,
    byOperation,
  };
}

/** Adds up what every table of one simulated fleet consumed; shared by its tables. */
export class CapacityMeter {
  private readonly totals = emptyTotals();

  record(operation: string, units: { read?: number; write?: number }): void {
    this.totals.requests++;
    this.totals.readUnits += units.read ?? 0;
    this.totals.writeUnits += units.write ?? 0;
    this.totals.byOperation[operation] = (this.totals.byOperation[operation] ?? 0) + 1;
  }

  /** Write units a global secondary index consumed for a table write (no request of its own). */
  indexWrite(label: string, units: number): void {
    this.totals.writeUnits += units;
    this.totals.byOperation[label] = (this.totals.byOperation[label] ?? 0) + 1;
  }

  throttled(operation: string): void {
    this.totals.throttled++;
    const key = `${operation} throttled`;
    this.totals.byOperation[key] = (this.totals.byOperation[key] ?? 0) + 1;
  }

  reading(): CapacityTotals {
    return { ...this.totals, byOperation: { ...this.totals.byOperation } };
  }
}
