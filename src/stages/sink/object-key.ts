import { randomUUID } from 'node:crypto';
import { sourceRange, type SinkRecord } from './sink-record.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The UTC hour folder Firehose puts objects under: `YYYY/MM/DD/HH/`. @internal */
export function hourFolder(time: number): string {
  const t = new Date(time);
  return `${pad(t.getUTCFullYear(), 4)}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}/`;
}

/**
 * The file name of an object of `records`. When every record has a source position in one
 * shard the name is `${name}-${shardId}-${first}-${last}` (sequence and sub-sequence numbers),
 * so the same records delivered again after a restart overwrite the same object; otherwise it
 * is `${name}-yyyy-MM-dd-HH-mm-ss-${random}` from `time`, as Firehose names objects. @internal
 */
export function objectName(name: string, records: readonly SinkRecord[], time: number, extension: string): string {
  const range = sourceRange(records);
  if (range) {
    const { shardId, first, last } = range;
    return `${name}-${shardId}-${first.sequenceNumber}-${first.subSequenceNumber}-${last.sequenceNumber}-${last.subSequenceNumber}${extension}`;
  }
  const t = new Date(time);
  const stamp = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}-${pad(t.getUTCHours())}-${pad(t.getUTCMinutes())}-${pad(t.getUTCSeconds())}`;
  return `${name}-${stamp}-${randomUUID()}${extension}`;
}

/**
 * The time that places an object of `records` in its hour folder: the first record's event
 * time when the object is named by its records (so a redelivery lands in the same folder),
 * else `fallback`. @internal
 */
export function objectTime(records: readonly SinkRecord[], fallback: number): number {
  const first = records[0]?.eventTime;
  return sourceRange(records) && first !== undefined ? first : fallback;
}
