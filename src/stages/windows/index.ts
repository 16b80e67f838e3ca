// Event-time windows and anomaly detection, as Kinesis Data Analytics computes them.
export { windowAggregate } from './window-aggregate.ts';
export type { WindowResult, WindowState, WindowStats, WindowAggregateStage } from './window-aggregate.ts';
export { windowAggregateDefaults, MAX_WINDOWS_PER_RECORD } from './options.ts';
export type { WindowAggregateOptions, WindowSpec, Aggregate } from './options.ts';
export { anomalyDetector } from './anomaly-detector.ts';
export type { AnomalyAlert, AnomalyState, AnomalyStats, AnomalyDetectorStage } from './anomaly-detector.ts';
export { anomalyDetectorDefaults } from './anomaly-options.ts';
export type { AnomalyDetectorOptions } from './anomaly-options.ts';
