// The public surface, pinned: what each entry of the package exports, by name. A change here is
// a change of the API adopters program against, so it is made on purpose, in this list, or not
// at all.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Each subpath of `exports`, its source entry, and the names it exports at run time and as types only. */
const entries: Record<string, { source: string; values: string[]; types: string[] }> = {
  '.': {
    source: 'src/index.ts',
    values: [
      'CheckpointFileError',
      'Consumer',
      'ConsumerInitializationError',
      'FileTailAgent',
      'InvalidOptionError',
      'InvalidRecordError',
      'KinesisActorsError',
      'LineFormatError',
      'MAX_CHECKPOINT_STATE_BYTES',
      'MAX_WINDOWS_PER_RECORD',
      'Pipeline',
      'Producer',
      'ProducerPipeline',
      'SinkDeliveryError',
      'WrongEndpointError',
      'anomalyDetector',
      'anomalyDetectorDefaults',
      'connectionDefaults',
      'consumerDefaults',
      'createConsumer',
      'createDynamoDbClient',
      'createFileTailAgent',
      'createKinesisClient',
      'createProducer',
      'createProducerPipeline',
      'csvToObject',
      'defineStage',
      'deliverySink',
      'deliverySinkDefaults',
      'directoryDestination',
      'dropWhen',
      'enrich',
      'fileTailDefaults',
      'filterRecords',
      'maskFields',
      'parseJson',
      'pipelineDefaults',
      'pipelineProcessor',
      'postgresDestination',
      'postgresDestinationDefaults',
      'producerDefaults',
      'resolveConsumerOptions',
      'resolveProducerOptions',
      's3Destination',
      's3DestinationDefaults',
      's3OnFailureDestination',
      'stageFromLogic',
      'systemClock',
      'toStream',
      'windowAggregate',
      'windowAggregateDefaults',
    ],
    types: [
      'Aggregate',
      'AnomalyAlert',
      'AnomalyDetectorOptions',
      'AnomalyDetectorStage',
      'AnomalyState',
      'AnomalyStats',
      'AwsConnection',
      'AwsService',
      'BackpressureMode',
      'BatchFailure',
      'BatchFailureReason',
      'BatchHandler',
      'BatchHandlerContext',
      'BatchItemFailures',
      'BatchOutcome',
      'CheckpointOptions',
      'Checkpointer',
      'CleanStats',
      'Clock',
      'CompressionCodec',
      'ConsoleLike',
      'ConsumerEvents',
      'ConsumerMetrics',
      'ConsumerOptions',
      'ConsumerRecord',
      'CsvFormat',
      'DeliverySinkOptions',
      'Distribution',
      'DropWhenOptions',
      'EnrichOptions',
      'EnrichStage',
      'EnrichStats',
      'ErrorCode',
      'ErrorHandlingOptions',
      'FanOutOption',
      'FileTailAgentOptions',
      'FileTailStats',
      'FilterRecordsOptions',
      'FilterRule',
      'FilterStage',
      'FilterStats',
      'FlushReason',
      'Hold',
      'InitialPosition',
      'InitializationInput',
      'InitializationStep',
      'LineFormat',
      'Logger',
      'LoggerOption',
      'Lookup',
      'LookupFunction',
      'MaskAction',
      'MaskFieldsOptions',
      'MaskFieldsStage',
      'OnFailureDestination',
      'OnInvalidValue',
      'OnMissingRow',
      'ParquetColumn',
      'ParquetColumnType',
      'ParseJsonOptions',
      'PartitionFunction',
      'PipelineOptions',
      'PostgresConnection',
      'PostgresDestination',
      'PostgresDestinationOptions',
      'ProcessRecordsInput',
      'ProducerEvents',
      'ProducerMetrics',
      'ProducerOptions',
      'ProducerPipelineOptions',
      'PutEntry',
      'PutManyFailure',
      'PutManyResult',
      'PutOptions',
      'PutResult',
      'PutTarget',
      'PutTargets',
      'RecordProcessor',
      'RecordProcessorFactory',
      'RecordValue',
      'ResolvedConsumerOptions',
      'ResolvedProducerOptions',
      'RetrievalOption',
      'S3ClientLike',
      'S3Destination',
      'S3DestinationOptions',
      'S3OnFailureDestinationOptions',
      'S3ServerSideEncryption',
      'Serializer',
      'SinkCompression',
      'SinkDestination',
      'SinkFormat',
      'SinkObject',
      'SinkRecord',
      'SinkSerializer',
      'SourcePosition',
      'Stage',
      'StageBatchContext',
      'StageContext',
      'StageHandler',
      'StageLogic',
      'StageLogicInput',
      'StageLogicOutput',
      'StreamItem',
      'SupervisionStrategy',
      'WindowAggregateOptions',
      'WindowAggregateStage',
      'WindowResult',
      'WindowSpec',
      'WindowState',
      'WindowStats',
    ],
  },
  './codec': {
    source: 'src/codec/index.ts',
    values: [
      'AggregateSizer',
      'DEFAULT_MAX_INFLATED_BYTES',
      'EnvelopeError',
      'KPL_MAGIC',
      'MAX_HASH_KEY',
      'deaggregate',
      'decodeKinesisRecord',
      'encodeAggregatedRecord',
      'encodeEnvelope',
      'hashKeyOf',
      'isEnvelope',
      'openEnvelope',
      'parseExplicitHashKey',
    ],
    types: ['AggregateInput', 'CompressionCodec', 'DeaggregatedUserRecord', 'DeaggregationResult', 'DecodedKinesisRecord'],
  },
  './leases': {
    source: 'src/leases/index.ts',
    values: ['DynamoDbLeaseStore', 'LeaseCoordinator', 'LeaseLostError', 'LeaseOwnerIndexMissingError', 'LeaseTableSchemaError', 'MalformedLeaseError', 'describeLeaseTable', 'newLease'],
    types: [
      'Checkpoint',
      'DynamoDbLeaseStoreOptions',
      'Lease',
      'LeaseCoordinatorEvents',
      'LeaseCoordinatorOptions',
      'LeaseHandle',
      'LeaseLostReason',
      'LeaseRow',
      'LeaseStore',
      'LeaseWriteResult',
      'NewLeaseFields',
      'ReleaseSummary',
    ],
  },
  './supervision': {
    source: 'src/supervision/index.ts',
    values: ['Supervisor', 'defaultSupervisionStrategy'],
    types: ['ChildSpec', 'SupervisedActor', 'SupervisionStrategy'],
  },
  './testing': {
    source: 'src/testing/index.ts',
    values: ['SimulatedClock', 'createStream', 'randomName', 'readStream', 'stageHarness', 'startEmbeddedPostgres', 'startFaultProxy', 'startKinesisLocal', 'startLocalS3', 'startLocalStack', 'startNullKinesis', 'waitForStreamActive'],
    types: [
      'EmbeddedPostgres',
      'FaultProxy',
      'FaultProxyCounters',
      'FaultProxyFaults',
      'FaultProxyOptions',
      'FaultProxyStats',
      'KinesisLocal',
      'KinesisLocalOptions',
      'LocalS3',
      'LocalS3Options',
      'LocalStack',
      'LocalStackOptions',
      'NullKinesis',
      'ReadUserRecord',
      'StageCallResult',
      'StageHarness',
      'StreamContents',
      'ThrottleOptions',
    ],
  },
  './dashboard': {
    source: 'src/dashboard/index.ts',
    values: ['startDashboard'],
    types: ['Dashboard', 'DashboardOptions', 'DashboardSnapshot', 'LeaseMove', 'ProducerView', 'ShardView', 'WorkerView'],
  },
  './fastify': {
    source: 'src/web/fastify/index.ts',
    values: ['producerPlugin'],
    types: ['ProducerLike', 'ProducerPluginOptions', 'ProducerSource'],
  },
  './express': {
    source: 'src/web/express/index.ts',
    values: ['producerMiddleware'],
    types: ['ProducerLike', 'ProducerMiddleware', 'ProducerMiddlewareOptions', 'ProducerRequest', 'ProducerSource'],
  },
};

/** The names an entry lists in `export type { ... }`: its entry file names every export, none by `export *`. */
function typeExports(source: string): string[] {
  const names = [...source.matchAll(/^export type \{([^}]*)\}/gm)].flatMap((m) => m[1].split(','));
  return names.map((n) => n.trim()).filter((n) => n !== '').sort();
}

describe('the public surface', () => {
  it('is the entries of package.json `exports`, each pointing at its compiled entry, types first', async () => {
    const manifest = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(manifest.exports)).toEqual([...Object.keys(entries), './package.json']);
    for (const [subpath, { source }] of Object.entries(entries)) {
      const compiled = `./dist/${source.replace(/\.ts$/, '')}`;
      expect(manifest.exports[subpath], subpath).toEqual({ types: `${compiled}.d.ts`, default: `${compiled}.js` });
      expect(Object.keys(manifest.exports[subpath] as object), subpath).toEqual(['types', 'default']);
    }
  });

  for (const [subpath, { source, values, types }] of Object.entries(entries)) {
    it(`kinesis-actors${subpath === '.' ? '' : subpath.slice(1)} exports exactly the names listed here`, async () => {
      const text = await readFile(`${root}${source}`, 'utf8');
      expect(text, 'an entry lists its exports by name').not.toMatch(/^export \*/m);
      const module = (await import(`${root}${source}`)) as Record<string, unknown>;
      expect(Object.keys(module).sort()).toEqual(values);
      expect(typeExports(text)).toEqual(types);
    });
  }

  it('gives every name to one entry only, but for the option types the root API names', () => {
    const shared = new Set(['CompressionCodec', 'SupervisionStrategy', 'ProducerLike', 'ProducerSource']);
    const seen = new Map<string, string>();
    for (const [subpath, { values, types }] of Object.entries(entries)) {
      for (const name of [...values, ...types]) {
        if (seen.has(name) && !shared.has(name)) expect.fail(`${name} is exported by both ${seen.get(name)} and ${subpath}`);
        seen.set(name, subpath);
      }
    }
  });
});
