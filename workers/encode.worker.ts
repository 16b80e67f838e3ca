import { encodeBatch } from '../src/producer/encode-batch.ts';
import type { EncodeResult, EncodeTask } from '../src/producer/batch.ts';

/** Piscina task: encode and compress batches off the main thread. */
export default function encode(tasks: EncodeTask[]): EncodeResult[] {
  return tasks.map(encodeBatch);
}
