import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AccountingTable } from './accounting-table.ts';
import type { FleetContext } from './fleet.ts';
import { itemSize } from './item-size.ts';

/** The leader lock item in the coordinator state table, as the DynamoDB lock client writes it. */
export interface LockItem {
  readonly owner: string;
  /** A new UUID at every heartbeat: other workers judge the lock's liveness by it changing. */
  readonly recordVersionNumber: string;
}

/** A worker's metrics item (WorkerMetricStats): its CPU samples, the last ones kept. */
export interface WorkerMetricsItem {
  readonly workerId: string;
  readonly lastUpdateTime: number;
  /** The last `noOfPersistedMetricsPerWorkerMetrics` (10) CPU samples, percent. */
  readonly cpu: readonly number[];
}

function lockAttributes(lock: LockItem): Record<string, AttributeValue> {
  return {
    key: { S: 'Leader' },
    ownerName: { S: lock.owner },
    leaseDuration: { S: '120000' },
    recordVersionNumber: { S: lock.recordVersionNumber },
  };
}

function metricsAttributes(m: WorkerMetricsItem): Record<string, AttributeValue> {
  const list = (values: readonly number[]) => ({ L: values.map((v) => ({ N: v.toFixed(2) })) });
  return {
    wid: { S: m.workerId },
    lut: { N: String(Math.floor(m.lastUpdateTime / 1000)) },
    sts: { M: { CPU: list(m.cpu) } },
    opr: { M: { CPU: list([100]) } },
  };
}

/** KCL 3.x's coordinator state table (the leader lock) and worker metrics table, billed on the fleet's meter. */
export function kcl3Tables(context: FleetContext) {
  const common = { clock: context.clock, meter: context.meter, limits: context.limits, latencyMs: context.latencyMs };
  return {
    coordinatorState: new AccountingTable<LockItem>({ ...common, name: 'coordinator-state', keyAttribute: 'key', sizeOf: (l) => itemSize(lockAttributes(l)) }),
    workerMetrics: new AccountingTable<WorkerMetricsItem>({ ...common, name: 'worker-metrics', keyAttribute: 'wid', sizeOf: (m) => itemSize(metricsAttributes(m)) }),
  };
}

export type Kcl3Tables = ReturnType<typeof kcl3Tables>;
