import { CapacityMeter } from './capacity-meter.ts';
import type { ClientFigures } from './consumed-capacity-meter.ts';

/**
 * The simulator's meter, also summing calls and units per DynamoDB operation, in the figures a
 * metered SDK client keeps ({@link ConsumedCapacityMeter}), so the two compare operation by operation.
 */
export class OperationMeter extends CapacityMeter {
  readonly figures: ClientFigures = {};

  override record(operation: string, units: { read?: number; write?: number }): void {
    super.record(operation, units);
    const spent = (units.read ?? 0) + (units.write ?? 0);
    const f = (this.figures[operation] ??= { calls: 0, reportedUnits: 0, unreported: 0, computedUnits: 0, conditionFailed: 0, errors: 0, items: 0, maxItemBytes: 0 });
    f.calls++;
    f.reportedUnits += spent;
    f.computedUnits += spent;
  }
}
