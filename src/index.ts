// The public API: the application API the README teaches (producer, consumer, pipelines, the
// built-in stages and agents, errors, connections, and the option types they take). Building
// blocks have entries of their own: `kinesis-actors/codec`, `kinesis-actors/leases`,
// `kinesis-actors/supervision`, and the test kit `kinesis-actors/testing`. Everything not
// listed in an entry is internal and may change.

// The producer
export { createProducer, Producer } from './producer/producer.ts';
export type { ProducerOptions, ResolvedProducerOptions, Serializer, BackpressureMode } from './producer/options.ts';
export { producerDefaults, resolveProducerOptions } from './producer/options.ts';
export type { PutEntry, PutOptions, PutResult } from './producer/user-record.ts';
export type { PutManyFailure, PutManyResult } from './producer/put-group.ts';
export type { ProducerMetrics, Distribution } from './producer/metrics.ts';
export type { ProducerEvents } from './producer/events.ts';
export type { CompressionCodec } from './codec/envelope.ts';

// The consumer
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

// Pipelines and custom stages
export { Pipeline } from './pipeline/pipeline.ts';
export { defineStage } from './pipeline/stage.ts';
export type { Stage, StageHandler, StageContext, StageBatchContext, Hold, FlushReason } from './pipeline/stage.ts';
export { stageFromLogic } from './pipeline/stage-from-logic.ts';
export type { StageLogic, StageLogicInput, StageLogicOutput } from './pipeline/stage-from-logic.ts';
export type { StreamItem, SourcePosition } from './pipeline/stream-item.ts';
export type { PutTarget, PutTargets } from './pipeline/put-target.ts';
export type { PipelineOptions } from './pipeline/options.ts';
export { pipelineDefaults } from './pipeline/options.ts';
export { pipelineProcessor, MAX_CHECKPOINT_STATE_BYTES } from './pipeline/pipeline-processor.ts';
export { createProducerPipeline, ProducerPipeline } from './pipeline/producer-pipeline.ts';
export type { ProducerPipelineOptions } from './pipeline/producer-pipeline.ts';
export type { SupervisionStrategy } from './supervision/supervisor.ts';

// Built-in stages
export { parseJson } from './stages/parse-json.ts';
export type { ParseJsonOptions } from './stages/parse-json.ts';
export { toStream } from './stages/to-stream.ts';
export { maskFields } from './stages/clean/mask-fields.ts';
export type { MaskAction, MaskFieldsOptions, MaskFieldsStage, CleanStats } from './stages/clean/mask-fields.ts';
export type { OnInvalidValue } from './stages/clean/record-items.ts';
export { dropWhen, filterRecords } from './stages/clean/filter-records.ts';
export type { DropWhenOptions, FilterRecordsOptions, FilterRule, FilterStage, FilterStats } from './stages/clean/filter-records.ts';
export type { RecordValue } from './stages/clean/field-path.ts';
export { enrich } from './stages/enrich/enrich.ts';
export type { EnrichStage, EnrichStats } from './stages/enrich/enrich.ts';
export type { EnrichOptions, Lookup, LookupFunction, OnMissingRow } from './stages/enrich/options.ts';
export { windowAggregate } from './stages/windows/window-aggregate.ts';
export type { WindowResult, WindowState, WindowStats, WindowAggregateStage } from './stages/windows/window-aggregate.ts';
export { windowAggregateDefaults, MAX_WINDOWS_PER_RECORD } from './stages/windows/options.ts';
export type { WindowAggregateOptions, WindowSpec, Aggregate } from './stages/windows/options.ts';
export { anomalyDetector } from './stages/windows/anomaly-detector.ts';
export type { AnomalyAlert, AnomalyState, AnomalyStats, AnomalyDetectorStage } from './stages/windows/anomaly-detector.ts';
export { anomalyDetectorDefaults } from './stages/windows/anomaly-options.ts';
export type { AnomalyDetectorOptions } from './stages/windows/anomaly-options.ts';
export { deliverySink } from './stages/sink/delivery-sink.ts';
export { directoryDestination } from './stages/sink/directory-destination.ts';
export type { SinkDestination, SinkObject } from './stages/sink/destination.ts';
export { SinkDeliveryError } from './stages/sink/errors.ts';
export { deliverySinkDefaults } from './stages/sink/options.ts';
export type { DeliverySinkOptions, SinkCompression, SinkFormat, SinkSerializer } from './stages/sink/options.ts';
export type { SinkRecord } from './stages/sink/sink-record.ts';
export type { PartitionFunction } from './stages/sink/partitioning/partitioner.ts';
export type { ParquetColumn, ParquetColumnType } from './stages/sink/parquet/parquet-schema.ts';
export { s3Destination } from './stages/sink/s3/s3-destination.ts';
export type { S3Destination } from './stages/sink/s3/s3-destination.ts';
export { s3DestinationDefaults } from './stages/sink/s3/s3-options.ts';
export type { S3ClientLike, S3DestinationOptions, S3ServerSideEncryption } from './stages/sink/s3/s3-options.ts';
export { s3OnFailureDestination } from './stages/sink/s3/s3-on-failure.ts';
export type { S3OnFailureDestinationOptions } from './stages/sink/s3/s3-on-failure.ts';
export { postgresDestination } from './stages/sink/postgres/postgres-destination.ts';
export type { PostgresDestination } from './stages/sink/postgres/postgres-destination.ts';
export { postgresDestinationDefaults } from './stages/sink/postgres/postgres-options.ts';
export type { PostgresConnection, PostgresDestinationOptions } from './stages/sink/postgres/postgres-options.ts';

// Agents
export { createFileTailAgent, FileTailAgent } from './agents/file-tail/file-tail-agent.ts';
export type { FileTailStats } from './agents/file-tail/file-tail-agent.ts';
export { fileTailDefaults } from './agents/file-tail/options.ts';
export type { FileTailAgentOptions, LineFormat } from './agents/file-tail/options.ts';
export { csvToObject } from './agents/file-tail/csv.ts';
export type { CsvFormat } from './agents/file-tail/csv.ts';
export { LineFormatError, CheckpointFileError } from './agents/file-tail/errors.ts';

// Errors
export { KinesisActorsError, InvalidOptionError, InvalidRecordError } from './errors.ts';
export type { ErrorCode } from './errors.ts';

// Connections
export { createKinesisClient, createDynamoDbClient } from './aws/clients.ts';
export type { AwsConnection } from './aws/connection.ts';
export { connectionDefaults } from './aws/connection.ts';
export { WrongEndpointError } from './aws/wrong-endpoint.ts';
export type { AwsService } from './aws/endpoints.ts';

// What every component takes: a clock and a logger
export type { Clock } from './internal/clock.ts';
export { systemClock } from './internal/clock.ts';
export type { ConsoleLike, Logger, LoggerOption } from './internal/logger.ts';
