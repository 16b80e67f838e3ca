import type { SinkRecord } from '../sink-record.ts';

/** COPY's text format escapes these; JSON lines hold backslashes, the rest only from a custom serializer. */
const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * The rows of `COPY staging (sequence_number, sub_sequence_number, doc) FROM STDIN` for
 * `records`, in chunks of about `chunkBytes`: one line per record, `\N` where it has no
 * source position. @internal
 */
export function* copyRows(records: readonly SinkRecord[], chunkBytes = 256 * 1024): Generator<string> {
  let chunk = '';
  for (const { source, line } of records) {
    const position = source ? `${source.sequenceNumber}\t${source.subSequenceNumber}` : '\\N\t\\N';
    chunk += `${position}\t${line.replace(SPECIAL, (c) => ESCAPES[c])}\n`;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
