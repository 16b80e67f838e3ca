// Event-time windows and anomaly detection, as Kinesis Data Analytics computes them.
export { windowAggregate } from './window-aggregate.ts';
export type { WindowResult, WindowState, WindowStats } from './window-aggregate.ts';
export type { WindowAggregateOptions, WindowSpec, Aggregate } from './options.ts';
export { anomalyDetector } from './anomaly-detector.ts';
export type { AnomalyDetectorOptions, AnomalyAlert, AnomalyState } from './anomaly-detector.ts';
