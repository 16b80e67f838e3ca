import type { PhaseFigures } from './check-real-fleet.ts';
import type { RequestFigures } from './consumed-capacity-meter.ts';

/** One operation in one phase: the real fleet's calls and units against the simulator's. */
export interface ComparisonRow {
  phase: string;
  operation: string;
  measuredCalls: number;
  /** Requests dynalite's server received (SDK retries included). */
  serverCalls: number;
  predictedCalls: number;
  /** dynalite's ConsumedCapacity, plus 1 unit per failed condition (DynamoDB bills them; errors report none). */
  measuredUnits: number;
  /** The same calls' units by DynamoDB's rules from the items on the wire. */
  itemUnits: number;
  predictedUnits: number;
  /** Failed conditions among the measured calls. */
  conditionFailed: number;
}

const OPERATIONS = ['Scan', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'];

const measured = (f: RequestFigures | undefined) => (f ? f.reportedUnits + f.conditionFailed : 0);

/** Rows per phase and operation, and a whole-run row per operation (phase `all`). */
export function compare(real: readonly PhaseFigures[], simulated: readonly PhaseFigures[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [i, phase] of real.entries()) {
    for (const operation of OPERATIONS) {
      const r = phase.requests[operation];
      const s = simulated[i].requests[operation];
      if (!r && !s) continue;
      rows.push({
        phase: phase.phase,
        operation,
        measuredCalls: r?.calls ?? 0,
        serverCalls: phase.server?.[operation] ?? 0,
        predictedCalls: s?.calls ?? 0,
        measuredUnits: measured(r),
        itemUnits: r?.computedUnits ?? 0,
        predictedUnits: s?.reportedUnits ?? 0,
        conditionFailed: r?.conditionFailed ?? 0,
      });
    }
  }
  for (const operation of new Set(rows.map((row) => row.operation))) {
    const of = rows.filter((row) => row.operation === operation);
    const sum = (key: keyof ComparisonRow) => of.reduce((total, row) => total + (row[key] as number), 0);
    rows.push({
      phase: 'all',
      operation,
      measuredCalls: sum('measuredCalls'),
      serverCalls: sum('serverCalls'),
      predictedCalls: sum('predictedCalls'),
      measuredUnits: sum('measuredUnits'),
      itemUnits: sum('itemUnits'),
      predictedUnits: sum('predictedUnits'),
      conditionFailed: sum('conditionFailed'),
    });
  }
  return rows;
}

/** (predicted − measured) / measured. */
export function relativeError(measured: number, predicted: number): number {
  if (measured === 0) return predicted === 0 ? 0 : Infinity;
  return (predicted - measured) / measured;
}

const pct = (e: number) => (Number.isFinite(e) ? `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)} %` : '∞');
const num = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 }));
const perCall = (units: number, calls: number) => (calls === 0 ? '–' : (units / calls).toFixed(3));

export function comparisonTable(rows: readonly ComparisonRow[]): string {
  return [
    '| phase | operation | calls measured (at dynalite) | calls predicted | error | units measured | units from items | units predicted | error | units per call measured / predicted |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.phase} | ${r.operation} | ${num(r.measuredCalls)} (${num(r.serverCalls)})${r.conditionFailed ? `, ${num(r.conditionFailed)} failed` : ''} | ${num(r.predictedCalls)} | ${pct(relativeError(r.measuredCalls, r.predictedCalls))} | ` +
        `${num(r.measuredUnits)} | ${num(r.itemUnits)} | ${num(r.predictedUnits)} | ${pct(relativeError(r.measuredUnits, r.predictedUnits))} | ` +
        `${perCall(r.measuredUnits, r.measuredCalls)} / ${perCall(r.predictedUnits, r.predictedCalls)} |`,
    ),
  ].join('\n');
}

/** What the coordinator asked of its store, per phase: real fleet against simulator. */
export function storeTable(real: readonly PhaseFigures[], simulated: readonly PhaseFigures[]): string {
  const lines = ['| phase | store call | real fleet | simulator | error |', '|---|---|---|---|---|'];
  for (const [i, phase] of real.entries()) {
    const keys = [...new Set([...Object.keys(phase.store), ...Object.keys(simulated[i].store)])].sort();
    for (const key of keys) {
      const r = phase.store[key] ?? 0;
      const s = simulated[i].store[key] ?? 0;
      lines.push(`| ${phase.phase} | ${key} | ${num(r)} | ${num(s)} | ${pct(relativeError(r, s))} |`);
    }
  }
  return lines.join('\n');
}
