// The test kit: an embedded Kinesis and DynamoDB, a fault-injecting proxy, a simulated clock,
// and helpers to read a stream back. Used by the project's tests, demo and benchmarks.

export { startLocalStack, randomName } from './local-stack.ts';
export type { LocalStack, LocalStackOptions } from './local-stack.ts';
export { createStream, waitForStreamActive } from './streams.ts';
export { readStream } from './read-stream.ts';
export type { ReadUserRecord, StreamContents } from './read-stream.ts';
export { SimulatedClock } from './simulated-clock.ts';
export { startFaultProxy } from './fault-proxy.ts';
export type { FaultProxy } from './fault-proxy.ts';
export type { FaultProxyOptions, FaultProxyFaults, ThrottleOptions } from './fault-proxy-options.ts';
export type { FaultProxyStats, FaultProxyCounters } from './fault-proxy-stats.ts';
export { startNullKinesis } from './null-kinesis.ts';
export type { NullKinesis } from './null-kinesis.ts';
export { startKinesisLocal } from './kinesis-local.ts';
export type { KinesisLocal, KinesisLocalOptions } from './kinesis-local.ts';
export { stageHarness } from './stage-harness.ts';
export type { StageHarness, StageCallResult } from './stage-harness.ts';
export { startLocalS3 } from './local-s3.ts';
export type { LocalS3, LocalS3Options } from './local-s3.ts';
export { startEmbeddedPostgres } from './embedded-postgres.ts';
export type { EmbeddedPostgres } from './embedded-postgres.ts';
