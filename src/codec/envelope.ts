import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { EnvelopeError } from '../errors.ts';

/**
 * The compression envelope around an aggregated record (the framework's own format):
 *
 *   offset 0  4 bytes  magic F3 4B 41 5A
 *          4  1 byte   version (1)
 *          5  1 byte   codec id (1 = deflate, zlib format with its Adler-32, so corruption is caught)
 *          6  4 bytes  uncompressed length, uint32 big-endian
 *         10  ...      compressed payload
 *
 * The uncompressed length lets a reader refuse a decompression bomb before inflating anything.
 */
export const ENVELOPE_MAGIC = Buffer.from([0xf3, 0x4b, 0x41, 0x5a]);
export const ENVELOPE_VERSION = 1;
const HEADER_SIZE = 10;
const CODEC_DEFLATE = 1;

/** Compression of aggregated records. */
export type CompressionCodec = 'none' | 'deflate';

/** Default ceiling of one inflated envelope. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

// zlib's documented worst case: deflate never expands more than 1032:1.
const MAX_DEFLATE_RATIO = 1032;

const require = createRequire(import.meta.url);
const zlibSync = require('zlib-sync') as typeof import('zlib-sync');

/** True when the bytes start with the envelope magic. */
export function isEnvelope(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x4b && data[2] === 0x41 && data[3] === 0x5a;
}

/** Deflates a payload (level 1 by default: fast, and click JSON compresses well at it). */
export function encodeEnvelope(payload: Uint8Array, options: { level?: number } = {}): Buffer {
  const compressed = deflateSync(payload, { level: options.level ?? 1 });
  const out = Buffer.allocUnsafe(HEADER_SIZE + compressed.length);
  ENVELOPE_MAGIC.copy(out, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = CODEC_DEFLATE;
  out.writeUInt32BE(payload.length, 6);
  compressed.copy(out, HEADER_SIZE);
  return out;
}

/**
 * Inflates an envelope. Refuses, before inflating, a declared length over `maxInflatedBytes`.
 * While inflating, output is bounded too: when even the worst deflate ratio cannot exceed the
 * limit, zlib-sync inflates in one call (the fast path); otherwise node:zlib inflates with
 * `maxOutputLength` set to the declared length, so a lying header cannot make it allocate more.
 */
export function openEnvelope(data: Uint8Array, options: { maxInflatedBytes: number }): Buffer {
  if (!isEnvelope(data) || data.length < HEADER_SIZE) {
    throw new EnvelopeError('INVALID_ENVELOPE', `not a compression envelope (${data.length} bytes, header needs ${HEADER_SIZE})`);
  }
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer[4] !== ENVELOPE_VERSION) {
    throw new EnvelopeError('INVALID_ENVELOPE', `envelope version ${buffer[4]} is not supported (this reader knows ${ENVELOPE_VERSION})`);
  }
  if (buffer[5] !== CODEC_DEFLATE) throw new EnvelopeError('UNKNOWN_CODEC', `envelope codec id ${buffer[5]} is unknown`);
  const declared = buffer.readUInt32BE(6);
  if (declared > options.maxInflatedBytes) {
    throw new EnvelopeError(
      'INFLATE_LIMIT_EXCEEDED',
      `envelope declares ${declared} bytes inflated, over the limit of ${options.maxInflatedBytes}`,
    );
  }
  const payload = buffer.subarray(HEADER_SIZE);
  let inflated: Buffer;
  if (payload.length * MAX_DEFLATE_RATIO <= options.maxInflatedBytes) {
    const inflate = new zlibSync.Inflate({ chunkSize: Math.max(1024, declared + 64) });
    inflate.push(payload, zlibSync.Z_FINISH);
    if (inflate.err !== zlibSync.Z_OK && inflate.err !== zlibSync.Z_STREAM_END) {
      throw new EnvelopeError('INFLATE_FAILED', `envelope payload is corrupt: ${inflate.msg ?? `zlib error ${inflate.err}`}`);
    }
    inflated = inflate.result as Buffer;
  } else {
    try {
      inflated = inflateSync(payload, { maxOutputLength: Math.max(1, declared) });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new EnvelopeError('INFLATE_LIMIT_EXCEEDED', `envelope inflates past its declared ${declared} bytes`, cause);
      }
      throw new EnvelopeError('INFLATE_FAILED', `envelope payload is corrupt: ${(cause as Error).message}`, cause);
    }
  }
  if (inflated === null || inflated.length !== declared) {
    const code = inflated && inflated.length > declared ? 'INFLATE_LIMIT_EXCEEDED' : 'INFLATE_FAILED';
    throw new EnvelopeError(code, `envelope inflated to ${inflated?.length ?? 0} bytes, header declares ${declared}`);
  }
  return inflated;
}
