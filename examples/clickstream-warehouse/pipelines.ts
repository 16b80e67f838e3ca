// The two delivery streams of the clickstream example, as Firehose would have them: the same
// clean-and-mask stages, then partitioned Parquet in S3 (the lake) or COPY into PostgreSQL
// (the warehouse). Each runs as its own consumer application, with its own checkpoints.
import {
  deliverySink,
  filterRecords,
  maskFields,
  parseJson,
  Pipeline,
  postgresDestination,
  s3Destination,
  type AwsConnection,
  type ConsumerRecord,
  type StreamItem,
} from '../../src/index.ts';

export const LAKE_BUCKET = 'clicks-lake';
export const WAREHOUSE_TABLE = 'clicks';

/** The warehouse table: the masked click, one row per event. */
export const WAREHOUSE_DDL = `CREATE TABLE ${WAREHOUSE_TABLE} (
  event_id text NOT NULL, page text NOT NULL, user_id text, ip text, country text, duration_ms integer, ts timestamptz,
  loaded_at timestamptz NOT NULL DEFAULT now())`;

/** Clean (health checks are not clicks) and mask (no raw e-mail or IP address leaves the stream). */
function cleanAndMask() {
  return Pipeline.from<ConsumerRecord>()
    .pipe(parseJson({ eventTimeField: 'ts' }))
    .pipe(filterRecords({ drop: [{ field: 'page', equals: 'health' }] }))
    .pipe(maskFields({ fields: { email: 'hash', ip: 'maskIp' }, hashSecret: 'clickstream-example' }));
}

/** Small buffers, so that a run of a few seconds writes many objects and loads. */
const buffering = { bufferSizeBytes: 256 * 1024, bufferIntervalMs: 1000 };

export function lakePipeline(s3: AwsConnection) {
  const destination = s3Destination({ bucket: LAKE_BUCKET, prefix: 'clicks/', connection: s3 });
  const sink = deliverySink({
    name: 'lake',
    destination,
    format: 'parquet',
    partitionBy: 'page={page}/dt={yyyy}-{MM}-{dd}/',
    parquetSchema: [
      { name: 'event_id', type: 'STRING' },
      { name: 'page', type: 'STRING' },
      { name: 'user_id', type: 'STRING' },
      { name: 'email', type: 'STRING' },
      { name: 'ip', type: 'STRING' },
      { name: 'country', type: 'STRING' },
      { name: 'duration_ms', type: 'INT32' },
      { name: 'ts', type: 'TIMESTAMP' },
    ],
    ...buffering,
  });
  return { pipeline: cleanAndMask().pipe(sink), close: () => destination.close() };
}

export function warehousePipeline(s3: AwsConnection, postgres: string) {
  const warehouse = postgresDestination({ table: WAREHOUSE_TABLE, connection: postgres, columns: ['event_id', 'page', 'user_id', 'ip', 'country', 'duration_ms', 'ts'] });
  const errors = s3Destination({ bucket: LAKE_BUCKET, prefix: 'warehouse-errors/', connection: s3 });
  const sink = deliverySink({ name: 'warehouse', destination: warehouse, errorDestination: errors, ...buffering });
  return {
    pipeline: cleanAndMask().pipe(sink),
    close: async () => {
      errors.close();
      await warehouse.close();
    },
  };
}

export type { StreamItem };
