import { encodeAggregatedRecord, type AggregateInput } from '../codec/aggregation.ts';
import { encodeEnvelope } from '../codec/envelope.ts';
import type { EncodeResult, EncodeTask } from './batch.ts';

/**
 * Bytes of one record, in a buffer of its own: a small `Buffer.from` comes from Node's shared
 * pool, and posting it back from the worker would copy the whole 8 KiB slab.
 */
function toBytes(data: string | Uint8Array): Uint8Array {
  if (typeof data !== 'string') return data;
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(data));
  bytes.write(data);
  return bytes;
}

/**
 * Encodes one group of user records as an aggregated record. The group's strings are encoded
 * in one `Buffer.from` call and sliced, since per-record buffers cost more than the encoding.
 */
function aggregate(task: EncodeTask, start: number, count: number): Buffer {
  const input: AggregateInput = { partitionKeys: [], explicitHashKeys: [], records: new Array(count) };
  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  let text = '';
  let allStrings = true;
  for (let i = start; i < start + count; i++) {
    const d = task.data[i];
    if (typeof d === 'string') text += d;
    else allStrings = false;
  }
  const joined = allStrings ? Buffer.from(text) : undefined;
  const ascii = joined !== undefined && joined.length === text.length;
  let offset = 0;
  for (let i = start; i < start + count; i++) {
    const pk = task.partitionKeys[i];
    let partitionKeyIndex = pkIndex.get(pk);
    if (partitionKeyIndex === undefined) {
      partitionKeyIndex = input.partitionKeys.push(pk) - 1;
      pkIndex.set(pk, partitionKeyIndex);
    }
    let explicitHashKeyIndex: number | undefined;
    const ehk = task.explicitHashKeys?.[i];
    if (ehk) {
      explicitHashKeyIndex = ehkIndex.get(ehk);
      if (explicitHashKeyIndex === undefined) {
        explicitHashKeyIndex = input.explicitHashKeys.push(ehk) - 1;
        ehkIndex.set(ehk, explicitHashKeyIndex);
      }
    }
    let data: Uint8Array;
    if (ascii) {
      const length = (task.data[i] as string).length;
      data = joined.subarray(offset, offset + length);
      offset += length;
    } else {
      data = toBytes(task.data[i]);
    }
    input.records[i - start] = { partitionKeyIndex, explicitHashKeyIndex, data };
  }
  return encodeAggregatedRecord(input);
}

/**
 * Encodes a batch into the data of its Kinesis records: single user records as-is, groups as
 * KPL aggregated records, wrapped in the compression envelope when compression is on. Runs in a
 * worker thread; exported for the worker and for tests.
 */
export function encodeBatch(task: EncodeTask): EncodeResult {
  const records: Uint8Array[] = new Array(task.groupSizes.length);
  let start = 0;
  for (let g = 0; g < task.groupSizes.length; g++) {
    const count = task.groupSizes[g];
    if (count === 1) {
      records[g] = toBytes(task.data[start]);
    } else {
      const encoded = aggregate(task, start, count);
      records[g] = task.compression === 'deflate' ? encodeEnvelope(encoded, { level: task.compressionLevel }) : encoded;
    }
    start += count;
  }
  return { records };
}
