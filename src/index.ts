// The public API. Everything not listed here is internal and may change.

export { createProducer, Producer } from './producer/producer.ts';
export type { ProducerOptions, ResolvedProducerOptions, Serializer, BackpressureMode } from './producer/options.ts';
export { producerDefaults, resolveProducerOptions } from './producer/options.ts';
export type { PutOptions, PutResult } from './producer/user-record.ts';
export type { ProducerMetrics, Distribution } from './producer/metrics.ts';
export type { ProducerEvents } from './producer/events.ts';

export { createConsumer, Consumer } from './consumer/consumer.ts';
export type { ConsumerOptions, ResolvedConsumerOptions } from './consumer/options.ts';
export type { RetrievalOption, FanOutOption } from './consumer/retrieval.ts';
export { consumerDefaults, resolveConsumerOptions } from './consumer/options.ts';
export { ConsumerInitializationError } from './consumer/initialization.ts';
export type { InitializationStep } from './consumer/initialization.ts';
export type { ConsumerRecord } from './consumer/record.ts';
export type {
  RecordProcessor,
  RecordProcessorFactory,
  Checkpointer,
  InitialPosition,
  InitializationInput,
  ProcessRecordsInput,
  CheckpointOptions,
} from './consumer/processor.ts';
export type { BatchHandler } from './consumer/handler-processor.ts';
export type { BatchHandlerContext, BatchItemFailures, BatchOutcome } from './consumer/error-handling/run-batch.ts';
export type { ErrorHandlingOptions, BatchFailure, BatchFailureReason, OnFailureDestination } from './consumer/error-handling/options.ts';
export type { ConsumerMetrics } from './consumer/metrics.ts';
export type { ConsumerEvents } from './consumer/events.ts';
export type { Lease, Checkpoint } from './consumer/leases/lease.ts';
export type { LeaseStore } from './consumer/leases/lease-store.ts';
export { DynamoDbLeaseStore } from './consumer/leases/dynamodb-lease-store.ts';
export { LeaseCoordinator } from './consumer/leases/lease-coordinator.ts';
export type { LeaseCoordinatorEvents, LeaseLostReason, ReleaseSummary } from './consumer/leases/lease-coordinator.ts';
export type { LeaseCoordinatorOptions } from './consumer/leases/lease-coordinator-options.ts';
export { newLease } from './consumer/leases/lease.ts';
export { describeLeaseTable } from './cli/lease-table.ts';
export type { LeaseRow } from './cli/lease-table.ts';
export { LeaseLostError, LeaseTableSchemaError, MalformedLeaseError } from './consumer/leases/lease-errors.ts';

export { KinesisActorsError, InvalidOptionError, InvalidRecordError, EnvelopeError } from './errors.ts';
export type { ErrorCode } from './errors.ts';

export { createKinesisClient, createDynamoDbClient } from './aws/clients.ts';
export type { AwsConnection } from './aws/connection.ts';
export { connectionDefaults } from './aws/connection.ts';
export { WrongEndpointError } from './aws/wrong-endpoint.ts';
export type { AwsService } from './aws/endpoints.ts';

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

export { Pipeline } from './pipeline/pipeline.ts';
export { defineStage } from './pipeline/stage.ts';
export type { Stage, StageHandler, StageContext, StageBatchContext, Hold, FlushReason } from './pipeline/stage.ts';
export type { StreamItem } from './pipeline/stream-item.ts';
export type { PutTarget, PutTargets } from './pipeline/put-target.ts';
export type { PipelineOptions } from './pipeline/options.ts';
export { pipelineDefaults } from './pipeline/options.ts';
export { pipelineProcessor, MAX_CHECKPOINT_STATE_BYTES } from './pipeline/pipeline-processor.ts';
export { createProducerPipeline, ProducerPipeline } from './pipeline/producer-pipeline.ts';
export type { ProducerPipelineOptions } from './pipeline/producer-pipeline.ts';
export { parseJson } from './pipeline/stages/parse-json.ts';
export type { ParseJsonOptions } from './pipeline/stages/parse-json.ts';
export { toStream } from './pipeline/stages/to-stream.ts';
export { maskFields } from './actors/clean/mask-fields.ts';
export type { MaskAction, MaskFieldsOptions, MaskFieldsStage, CleanStats, OnInvalidValue } from './actors/clean/mask-fields.ts';
export { dropWhen, filterRecords } from './actors/clean/filter-records.ts';
export type { DropWhenOptions, FilterRecordsOptions, FilterRule, FilterStage, FilterStats } from './actors/clean/filter-records.ts';
export type { RecordValue } from './actors/clean/field-path.ts';
export { enrich } from './actors/enrich/enrich.ts';
export type { EnrichStage, EnrichStats } from './actors/enrich/enrich.ts';
export type { EnrichOptions, Lookup, LookupFunction, OnMissingRow } from './actors/enrich/options.ts';
export { createFileTailAgent, FileTailAgent, fileTailDefaults, csvToObject, LineFormatError, CheckpointFileError } from './actors/file-tail/index.ts';
export type { FileTailStats, FileTailAgentOptions, LineFormat, CsvFormat } from './actors/file-tail/index.ts';
export { windowAggregate, windowAggregateDefaults, MAX_WINDOWS_PER_RECORD, anomalyDetector, anomalyDetectorDefaults } from './actors/windows/index.ts';
export type {
  WindowResult,
  WindowState,
  WindowStats,
  WindowAggregateStage,
  WindowAggregateOptions,
  WindowSpec,
  Aggregate,
  AnomalyDetectorOptions,
  AnomalyAlert,
  AnomalyState,
  AnomalyStats,
  AnomalyDetectorStage,
} from './actors/windows/index.ts';
export { deliverySink, directoryDestination, SinkDeliveryError, deliverySinkDefaults } from './actors/sink/index.ts';
export type { SinkDestination, DeliverySinkOptions, SinkCompression, SinkSerializer } from './actors/sink/index.ts';
export { stageFromLogic } from './pipeline/stage-from-logic.ts';
export type { StageLogic, StageLogicInput, StageLogicOutput } from './pipeline/stage-from-logic.ts';

export { Supervisor, defaultSupervisionStrategy } from './supervision/supervisor.ts';
export type { SupervisionStrategy, ChildSpec, SupervisedActor } from './supervision/supervisor.ts';

export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export type { ConsoleLike, Logger, LoggerOption } from './logger.ts';
