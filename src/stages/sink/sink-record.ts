import type { SourcePosition } from '../../pipeline/stream-item.ts';

/** One item as a sink buffers it: its value, its line, and where it was read from. */
export interface SinkRecord {
  readonly value: unknown;
  /** The item as one line of newline-delimited JSON (the sink's `serialize`). */
  readonly line: string;
  readonly source: SourcePosition | undefined;
  readonly eventTime: number | undefined;
}

/** The first and last source positions of an object's records, when every record has one. */
export interface SourceRange {
  readonly shardId: string;
  readonly first: SourcePosition;
  readonly last: SourcePosition;
}

/** Orders two positions of one shard: by sequence number (as integers), then sub-sequence number. */
export function comparePositions(a: SourcePosition, b: SourcePosition): number {
  const bySequence = a.sequenceNumber.length - b.sequenceNumber.length || (a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : 0);
  return bySequence || a.subSequenceNumber - b.subSequenceNumber;
}

/**
 * The range of `records` when all come from one shard with known positions; undefined
 * otherwise (producer-side pipelines, or items a stage built without their `source`).
 */
export function sourceRange(records: readonly SinkRecord[]): SourceRange | undefined {
  let first: SourcePosition | undefined;
  let last: SourcePosition | undefined;
  for (const { source } of records) {
    if (!source || (first && source.shardId !== first.shardId)) return undefined;
    if (!first || comparePositions(source, first) < 0) first = source;
    if (!last || comparePositions(source, last) > 0) last = source;
  }
  return first && last ? { shardId: first.shardId, first, last } : undefined;
}
