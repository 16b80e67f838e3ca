import { deflateSync, inflateSync } from 'node:zlib';
import { EnvelopeError } from '../errors.ts';

/**
 * The compression envelope around an aggregated record. It is the framework's own format (the
 * KPL declined compression), self-describing and versioned:
 *
 *   offset  size  field
 *        0     4  magic F3 4B 41 5A (distinct from the KPL's F3 89 9A C2)
 *        4     1  version, 1
 *        5     1  codec id: 1 = deflate in the zlib format, whose Adler-32 catches corruption
 *        6     4  uncompressed length, uint32 big-endian
 *       10     …  the compressed payload, exactly one zlib stream and nothing after it
 *
 * Bomb protection: the declared length is checked against the reader's limit before anything is
 * inflated. Inflation is then bounded by the declared length itself: node:zlib's `inflateSync`
 * gets `maxOutputLength` = declared length and stops with an error as soon as its output passes
 * it, and its `chunkSize` is the declared length + 1 (capped by deflate's 1032:1 maximum ratio
 * over the payload), so an honest envelope inflates into one buffer and a lying one makes it
 * allocate at most that one chunk. No envelope can make a reader allocate more than
 * `maxInflatedBytes` + 1 bytes of output (plus zlib's own ~40 KiB of state).
 *
 * zlib-sync is not used: its `Inflate` never calls `inflateEnd`, so every envelope would leak
 * zlib's native state (measured at 11 KiB or more each); and its `push()` grows its output for
 * as long as input remains, so bounding it takes small input slices and a copy per slice.
 * node:zlib inflates a 50 KB record as fast (measured).
 */

/** The four bytes every compression envelope starts with. */
export const ENVELOPE_MAGIC = Buffer.from([0xf3, 0x4b, 0x41, 0x5a]);
/** The envelope version this code writes and reads. */
const ENVELOPE_VERSION = 1;
const HEADER_SIZE = 10;
const CODEC_DEFLATE = 1;
const MAX_DEFLATE_RATIO = 1032;
const MIN_ZLIB_CHUNK = 64;

/** Compression of aggregated records: `'none'` writes plain KPL records, `'deflate'` envelopes. */
export type CompressionCodec = 'none' | 'deflate';

/** Default ceiling on the inflated size of one envelope: 16 MiB. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** True when the bytes start with the envelope magic (and so are not a plain or KPL record). */
export function isEnvelope(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x4b && data[2] === 0x41 && data[3] === 0x5a;
}

/**
 * The inflated length an envelope's header declares, read without inflating anything;
 * undefined when the bytes are too short to hold a header. Opening the envelope checks it.
 */
export function declaredInflatedLength(data: Uint8Array): number | undefined {
  if (!isEnvelope(data) || data.length < HEADER_SIZE) return undefined;
  return ((data[6] << 24) >>> 0) + (data[7] << 16) + (data[8] << 8) + data[9];
}

/**
 * Wraps a payload in a deflate envelope.
 *
 * @param options.level zlib level 0–9 (or -1 for zlib's default). @defaultValue 1: fastest, and
 *   JSON compresses well at it.
 * @throws {RangeError} for a bad level or a payload of 4 GiB or more.
 * @example
 * const envelope = encodeEnvelope(encodeAggregatedRecord(input));
 */
export function encodeEnvelope(payload: Uint8Array, options: { level?: number } = {}): Buffer {
  if (payload.length > 0xffffffff) throw new RangeError(`an envelope holds at most 4 GiB - 1 bytes (got ${payload.length})`);
  const compressed = deflateSync(payload, { level: options.level ?? 1 });
  // Not from the shared pool, so that posting it back from a worker copies only its own bytes.
  const out = Buffer.allocUnsafeSlow(HEADER_SIZE + compressed.length);
  ENVELOPE_MAGIC.copy(out, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = CODEC_DEFLATE;
  out.writeUInt32BE(payload.length, 6);
  compressed.copy(out, HEADER_SIZE);
  return out;
}

/**
 * Opens an envelope and returns the inflated payload, never inflating more than
 * `maxInflatedBytes` nor more than the header declares.
 *
 * @throws {EnvelopeError} `INVALID_ENVELOPE` (no magic, too short, unknown version),
 *   `UNKNOWN_CODEC`, `INFLATE_LIMIT_EXCEEDED` (declared length over the limit, or output past the
 *   declared length), `INFLATE_FAILED` (corrupt or truncated payload, bytes after the stream, or
 *   output shorter than declared).
 * @throws {RangeError} when `maxInflatedBytes` is not a non-negative integer.
 */
export function openEnvelope(data: Uint8Array, options: { maxInflatedBytes: number }): Buffer {
  const limit = options.maxInflatedBytes;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`options.maxInflatedBytes must be a non-negative integer (got ${limit})`);
  if (!isEnvelope(data) || data.length < HEADER_SIZE) {
    throw new EnvelopeError('INVALID_ENVELOPE', `not a compression envelope: ${data.length} bytes without the magic and a ${HEADER_SIZE}-byte header`);
  }
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer[4] !== ENVELOPE_VERSION) {
    throw new EnvelopeError('INVALID_ENVELOPE', `envelope version ${buffer[4]} is not supported (this reader knows version ${ENVELOPE_VERSION})`);
  }
  if (buffer[5] !== CODEC_DEFLATE) {
    throw new EnvelopeError('UNKNOWN_CODEC', `envelope codec id ${buffer[5]} is unknown (this reader knows 1, deflate)`);
  }
  const declared = buffer.readUInt32BE(6);
  if (declared > limit) {
    throw new EnvelopeError('INFLATE_LIMIT_EXCEEDED', `envelope declares ${declared} bytes inflated, over the limit of ${limit}`);
  }
  return inflate(buffer.subarray(HEADER_SIZE), declared);
}

function inflate(payload: Buffer, declared: number): Buffer {
  const chunkSize = Math.max(MIN_ZLIB_CHUNK, Math.min(declared, payload.length * MAX_DEFLATE_RATIO) + 1);
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = inflateSync(payload, { info: true, chunkSize, maxOutputLength: Math.max(1, declared) }) as unknown as typeof result;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new EnvelopeError('INFLATE_LIMIT_EXCEEDED', `envelope inflates past its declared ${declared} bytes; stopped there`, cause);
    }
    throw new EnvelopeError('INFLATE_FAILED', `envelope payload is corrupt: ${(cause as Error).message}`, cause);
  }
  const inflated = result.buffer;
  if (inflated.length > declared) {
    throw new EnvelopeError('INFLATE_LIMIT_EXCEEDED', `envelope inflates past its declared ${declared} bytes; stopped there`);
  }
  if (inflated.length < declared) {
    throw new EnvelopeError('INFLATE_FAILED', `envelope inflated to ${inflated.length} bytes, its header declares ${declared}`);
  }
  if (result.engine.bytesWritten !== payload.length) {
    throw new EnvelopeError('INFLATE_FAILED', `envelope has ${payload.length - result.engine.bytesWritten} bytes after its compressed stream`);
  }
  return inflated;
}
