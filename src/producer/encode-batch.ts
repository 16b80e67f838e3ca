import { encodeAggregatedRecord, type AggregateInput } from '../codec/aggregation.ts';
import { encodeEnvelope } from '../codec/envelope.ts';
import type { EncodeResult, EncodeTask } from './batch.ts';

/**
 * Encodes one group of user records, `count` of them from record `start`, with data at byte
 * `offset` and partition keys at byte `keyOffset` of `bytes`, as an aggregated record.
 */
function aggregate(task: EncodeTask, bytes: Buffer, start: number, count: number, offset: number, keyOffset: number): Buffer {
  const input: AggregateInput = { partitionKeys: [], explicitHashKeys: [], records: new Array(count) };
  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  for (let i = start; i < start + count; i++) {
    const pk = bytes.toString('utf8', keyOffset, keyOffset + task.keySizes[i]);
    keyOffset += task.keySizes[i];
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
    const size = task.dataSizes[i];
    input.records[i - start] = { partitionKeyIndex, explicitHashKeyIndex, data: task.data.subarray(offset, offset + size) };
    offset += size;
  }
  return encodeAggregatedRecord(input);
}

/**
 * The envelope, unless it is no smaller than the aggregate it wraps. Incompressible data makes
 * deflate's output larger than its input: the aggregate is sized to fit the record limit, the
 * envelope around it then might not. The consumer reads either; other readers only the plain one.
 */
function smaller(aggregate: Buffer, envelope: Buffer): Buffer {
  return envelope.length < aggregate.length ? envelope : aggregate;
}

/**
 * Encodes a batch into the data of its Kinesis records: single user records as-is, groups as
 * KPL aggregated records, wrapped in the compression envelope when compression is on and the
 * envelope is the smaller. Runs in a worker thread; exported for the worker and for tests.
 */
export function encodeBatch(task: EncodeTask): EncodeResult {
  const records: Uint8Array[] = new Array(task.groupSizes.length);
  // A transferred Buffer arrives as a plain Uint8Array.
  const bytes = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  let start = 0;
  let offset = 0;
  let keyOffset = task.keysAt;
  for (let g = 0; g < task.groupSizes.length; g++) {
    const count = task.groupSizes[g];
    if (count === 1) {
      // A copy of its own: a view would make the reply clone the whole batch buffer.
      records[g] = new Uint8Array(task.data.subarray(offset, offset + task.dataSizes[start]));
      offset += task.dataSizes[start];
      keyOffset += task.keySizes[start];
    } else {
      const encoded = aggregate(task, bytes, start, count, offset, keyOffset);
      records[g] = task.compression === 'deflate' ? smaller(encoded, encodeEnvelope(encoded, { level: task.compressionLevel })) : encoded;
      for (let i = start; i < start + count; i++) {
        offset += task.dataSizes[i];
        keyOffset += task.keySizes[i];
      }
    }
    start += count;
  }
  return { records };
}
