// The public API. Everything not listed here is internal and may change.

export { createProducer, Producer } from './producer/producer.ts';
export type { ProducerOptions, ResolvedProducerOptions, Serializer, BackpressureMode } from './producer/options.ts';
export { producerDefaults, resolveProducerOptions } from './producer/options.ts';
export type { PutOptions, PutResult } from './producer/user-record.ts';
export type { ProducerMetrics, Distribution } from './producer/metrics.ts';
export type { ProducerEvents } from './producer/events.ts';

export { KinesisActorsError, InvalidOptionError, InvalidRecordError, EnvelopeError } from './errors.ts';
export type { ErrorCode } from './errors.ts';

export { createKinesisClient, createDynamoDbClient } from './aws/clients.ts';
export type { AwsConnection } from './aws/clients.ts';

export { encodeAggregatedRecord, AggregateSizer } from './codec/aggregation.ts';
export type { AggregateInput } from './codec/aggregation.ts';
export { KPL_MAGIC } from './codec/kpl-format.ts';
export { deaggregate } from './codec/deaggregation.ts';
export type { DeaggregationResult, DeaggregatedUserRecord } from './codec/deaggregation.ts';
export { encodeEnvelope, openEnvelope, isEnvelope, DEFAULT_MAX_INFLATED_BYTES } from './codec/envelope.ts';
export type { CompressionCodec } from './codec/envelope.ts';
export { decodeKinesisRecord } from './codec/kinesis-record.ts';
export type { DecodedKinesisRecord } from './codec/kinesis-record.ts';
export { hashKeyOf, parseExplicitHashKey, MAX_HASH_KEY } from './codec/hash-key.ts';

export { Supervisor, defaultSupervisionStrategy } from './supervision/supervisor.ts';
export type { SupervisionStrategy, ChildSpec } from './supervision/supervisor.ts';

export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export type { Logger } from './logger.ts';
