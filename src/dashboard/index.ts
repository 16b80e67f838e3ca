/**
 * The live dashboard of a stream and its consumer application: `kinesis-actors/dashboard`.
 * Needs fastify, an optional peer dependency.
 */
export { startDashboard } from './dashboard.ts';
export type { Dashboard } from './dashboard.ts';
export type { DashboardOptions } from './options.ts';
export type { DashboardSnapshot, LeaseMove, ProducerView, ShardView, WorkerView } from './snapshot.ts';
