import { encodeBatch } from '../src/producer/encode-batch.ts';
import type { EncodeResult, EncodeTask } from '../src/producer/batch.ts';

/** Piscina task: encode and compress one batch off the main thread. */
export default function encode(task: EncodeTask): EncodeResult {
  return encodeBatch(task);
}
