import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { SinkCompression } from './options.ts';

const gzipAsync = promisify(gzip);

/** The body of an object: every line ended by `\n`, compressed as configured. @internal */
export async function encodeObject(lines: readonly string[], compression: SinkCompression): Promise<Uint8Array> {
  const text = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
  return compression === 'gzip' ? gzipAsync(text) : text;
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
}

/** Error-output lines for `lines` that failed with `error` after `attemptsMade` writes. @internal */
export function errorLines(lines: readonly string[], error: unknown, attemptsMade: number, timestamp: number): string[] {
  const errorCode = errorCodeOf(error);
  const errorMessage = error instanceof Error ? error.message : String(error);
  return lines.map((line) => {
    const record: SinkErrorRecord = { attemptsMade, errorCode, errorMessage, rawData: Buffer.from(line, 'utf8').toString('base64'), timestamp };
    return JSON.stringify(record);
  });
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}
