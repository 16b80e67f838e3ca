import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { SinkObject } from './destination.ts';
import type { ResolvedDeliverySinkOptions } from './options.ts';
import { encodeParquet } from './parquet/encode-parquet.ts';
import { toParquetRow, SchemaMismatchError } from './parquet/parquet-rows.ts';
import { inferParquetSchema, type ParquetColumn } from './parquet/parquet-schema.ts';
import type { SinkRecord } from './sink-record.ts';

const gzipAsync = promisify(gzip);

/** An object ready to write: its body, how it is named, and the records in it. @internal */
export interface EncodedObject extends SinkObject {
  readonly body: Uint8Array;
  /** Ends the object's name: '', '.gz' or '.parquet'. */
  readonly extension: string;
}

/** The encoding of a buffer: the object (if any record fits) and the records that do not fit the format. @internal */
export interface EncodeResult {
  readonly object: EncodedObject | undefined;
  readonly rejected: readonly { record: SinkRecord; error: Error }[];
}

/** Encodes buffers in a sink's format; one per sink instance, which keeps an inferred Parquet schema. @internal */
export interface ObjectEncoder {
  encode(records: readonly SinkRecord[]): Promise<EncodeResult>;
  /** Newline-delimited lines, compressed as configured (error output is always NDJSON). */
  encodeLines(lines: readonly string[]): Promise<{ body: Uint8Array; contentType: string; extension: string }>;
}

/** The encoder of a sink's options. @internal */
export function createObjectEncoder(options: ResolvedDeliverySinkOptions): ObjectEncoder {
  let schema: readonly ParquetColumn[] | undefined = options.parquetSchema;
  const gzipped = options.compression === 'gzip';
  const encodeLines = async (lines: readonly string[]) => {
    const text = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
    return gzipped
      ? { body: await gzipAsync(text), contentType: 'application/gzip', extension: '.gz' }
      : { body: new Uint8Array(text.buffer, text.byteOffset, text.byteLength), contentType: 'application/x-ndjson', extension: '' };
  };
  return {
    encodeLines,
    async encode(records) {
      if (options.loadsRecords) return { object: { body: new Uint8Array(0), contentType: 'application/x-ndjson', extension: '', records }, rejected: [] };
      if (options.format === 'ndjson') return { object: { ...(await encodeLines(records.map((r) => r.line))), records }, rejected: [] };
      schema ??= inferParquetSchema(records.slice(0, options.schemaInferenceRecords).map((r) => r.value));
      const rows: unknown[][] = [];
      const fitting: SinkRecord[] = [];
      const rejected: { record: SinkRecord; error: Error }[] = [];
      for (const record of records) {
        try {
          rows.push(toParquetRow(record.value, schema));
          fitting.push(record);
        } catch (error) {
          if (!(error instanceof SchemaMismatchError)) throw error;
          rejected.push({ record, error });
        }
      }
      const object = fitting.length === 0 ? undefined : { body: encodeParquet(rows, schema), contentType: 'application/vnd.apache.parquet', extension: '.parquet', records: fitting };
      return { object, rejected };
    },
  };
}

/** One record of the error output, as Firehose writes records it could not deliver. @internal */
export interface SinkErrorRecord {
  attemptsMade: number;
  errorCode: string;
  errorMessage: string;
  /** The line the record would have been, base64. */
  rawData: string;
  /** When the sink gave up, ms since the epoch. */
  timestamp: number;
  /** Where the record was read from, when known. */
  shardId?: string;
  sequenceNumber?: string;
  subSequenceNumber?: number;
}

/** The error-output line of `record`, which failed with `error` after `attemptsMade` writes. @internal */
export function errorLine(record: SinkRecord, error: unknown, attemptsMade: number, timestamp: number): string {
  const line: SinkErrorRecord = {
    attemptsMade,
    errorCode: errorCodeOf(error),
    errorMessage: error instanceof Error ? error.message : String(error),
    rawData: Buffer.from(record.line, 'utf8').toString('base64'),
    timestamp,
  };
  if (record.source) Object.assign(line, record.source);
  return JSON.stringify(line);
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}
