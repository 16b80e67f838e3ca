import { loadOptional } from '../../../testing/optional-dependency.ts';
import type { ParquetColumn } from './parquet-schema.ts';

interface ParquetWriterModule {
  parquetWriteBuffer(options: { columnData: { name: string; data: unknown[]; type: string; nullable: boolean }[]; codec: 'SNAPPY' | 'UNCOMPRESSED' }): ArrayBuffer;
}

let writer: ParquetWriterModule | undefined;

/** Parquet is an optional peer: only sinks writing it need hyparquet-writer. @internal */
export function loadParquetWriter(): ParquetWriterModule {
  writer ??= loadOptional('hyparquet-writer', "a delivery sink with format 'parquet'", ['hyparquet-writer'], (r) => r('hyparquet-writer') as ParquetWriterModule);
  return writer;
}

/** One Parquet file (Snappy-compressed pages) of `rows`, each already converted by `toParquetRow`. @internal */
export function encodeParquet(rows: readonly unknown[][], schema: readonly ParquetColumn[]): Uint8Array {
  const columnData = schema.map((column, index) => ({ name: column.name, type: column.type, nullable: true, data: rows.map((row) => row[index]) }));
  return new Uint8Array(loadParquetWriter().parquetWriteBuffer({ columnData, codec: 'SNAPPY' }));
}
