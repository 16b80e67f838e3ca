import { createDeflate, deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeAggregatedRecord } from '../../../src/codec/aggregation.ts';
import { DEFAULT_MAX_INFLATED_BYTES, encodeEnvelope, ENVELOPE_MAGIC, isEnvelope, openEnvelope } from '../../../src/codec/envelope.ts';
import { EnvelopeError } from '../../../src/errors.ts';

// Counts the inflations the envelope code starts, so a test can tell a refusal before
// inflating from one during it.
const zlibCalls = vi.hoisted(() => ({ inflateSync: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  return {
    ...zlib,
    inflateSync: (...args: Parameters<typeof zlib.inflateSync>) => {
      zlibCalls.inflateSync++;
      return zlib.inflateSync(...args);
    },
  };
});

const MiB = 1024 * 1024;
const limit = { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES };

function envelope(compressed: Buffer, declared: number, { version = 1, codec = 1 } = {}): Buffer {
  const header = Buffer.from([0xf3, 0x4b, 0x41, 0x5a, version, codec, 0, 0, 0, 0]);
  header.writeUInt32BE(declared, 6);
  return Buffer.concat([header, compressed]);
}

function expectEnvelopeError(fn: () => unknown, code: EnvelopeError['code'], message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EnvelopeError);
  expect((thrown as EnvelopeError).code).toBe(code);
  expect((thrown as EnvelopeError).retriable).toBe(false);
  if (message) expect((thrown as Error).message).toMatch(message);
}

/** Deflates `total` zero bytes in 1 MiB writes, so the test never holds them in memory. */
async function deflatedZeros(total: number): Promise<Buffer> {
  const zeros = Buffer.alloc(MiB);
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  for (let written = 0; written < total; written += MiB) deflate.write(zeros);
  deflate.end();
  await ended;
  return Buffer.concat(chunks);
}

describe('compression envelope', () => {
  const payload = Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ page: `/p/${i % 7}`, user: `u${i}` }))));

  it('round-trips and compresses', () => {
    const sealed = encodeEnvelope(payload);
    expect(isEnvelope(sealed)).toBe(true);
    expect(sealed.subarray(0, 6)).toEqual(Buffer.from([0xf3, 0x4b, 0x41, 0x5a, 1, 1]));
    expect(sealed.readUInt32BE(6)).toBe(payload.length);
    expect(sealed.length).toBeLessThan(payload.length / 3);
    expect(openEnvelope(sealed, limit).equals(payload)).toBe(true);
    expect(sealed.buffer.byteLength).toBe(sealed.length);
  });

  it('round-trips any size and level, from a Uint8Array too, up to a limit equal to the size', () => {
    for (const size of [0, 1, 63, 64, 65, 5000, 300_000]) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7919) % 251);
      for (const level of [0, 1, 9]) {
        const sealed = Uint8Array.from(encodeEnvelope(data, { level }));
        expect(openEnvelope(sealed, { maxInflatedBytes: size }).equals(data)).toBe(true);
      }
    }
    expect(encodeEnvelope(payload, { level: 9 }).length).toBeLessThan(encodeEnvelope(payload).length);
  });

  it("does not take plain JSON or a KPL aggregate for an envelope ('none' leaves records as they are)", () => {
    const aggregate = encodeAggregatedRecord({ partitionKeys: ['k'], explicitHashKeys: [], records: [{ partitionKeyIndex: 0, data: payload }] });
    expect(isEnvelope(aggregate)).toBe(false);
    expect(isEnvelope(payload)).toBe(false);
    expect(isEnvelope(ENVELOPE_MAGIC.subarray(0, 3))).toBe(false);
    expectEnvelopeError(() => openEnvelope(aggregate, limit), 'INVALID_ENVELOPE');
  });

  describe('decompression bombs (200 MiB of zeros)', () => {
    let bomb: Buffer;
    beforeAll(async () => {
      bomb = await deflatedZeros(200 * MiB);
    });

    it('refuses an honest header over the limit before inflating anything', () => {
      const inflations = zlibCalls.inflateSync;
      expectEnvelopeError(() => openEnvelope(envelope(bomb, 200 * MiB), limit), 'INFLATE_LIMIT_EXCEEDED', /declares 209715200 bytes inflated, over the limit of 16777216/);
      expect(zlibCalls.inflateSync).toBe(inflations);
    });

    it.each([
      ['a small declared length', 1000],
      ['a declared length just under the limit', DEFAULT_MAX_INFLATED_BYTES - 1],
    ])('stops a lying header (%s) during inflation without allocating past it', (_name, declared) => {
      const before = process.memoryUsage().arrayBuffers;
      const inflations = zlibCalls.inflateSync;
      expectEnvelopeError(() => openEnvelope(envelope(bomb, declared), limit), 'INFLATE_LIMIT_EXCEEDED', new RegExp(`past its declared ${declared} bytes`));
      expect(zlibCalls.inflateSync).toBe(inflations + 1);
      // Garbage is not collected in between, so this bounds everything allocated on the way.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(declared + 2 * MiB);
    });
  });

  it('stops a header that declares fewer bytes than the stream holds, even a little fewer', () => {
    const compressed = deflateSync(Buffer.alloc(5000, 7));
    expectEnvelopeError(() => openEnvelope(envelope(compressed, 4999), limit), 'INFLATE_LIMIT_EXCEEDED', /past its declared 4999/);
    expectEnvelopeError(() => openEnvelope(envelope(compressed, 0), limit), 'INFLATE_LIMIT_EXCEEDED', /past its declared 0/);
  });

  it('fails a header that declares more bytes than the stream holds', () => {
    const compressed = deflateSync(Buffer.alloc(5000, 7));
    expectEnvelopeError(() => openEnvelope(envelope(compressed, 5001), limit), 'INFLATE_FAILED', /inflated to 5000 bytes, its header declares 5001/);
  });

  it('fails truncated and corrupt payloads, and bytes after the stream', () => {
    const sealed = encodeEnvelope(payload);
    for (const cut of [1, 4, 10, sealed.length - 11]) {
      expectEnvelopeError(() => openEnvelope(sealed.subarray(0, sealed.length - cut), limit), 'INFLATE_FAILED');
    }
    const badChecksum = Buffer.from(sealed);
    badChecksum[badChecksum.length - 1] ^= 1;
    expectEnvelopeError(() => openEnvelope(badChecksum, limit), 'INFLATE_FAILED', /incorrect data check/);
    const badHeader = Buffer.from(sealed);
    badHeader[10] ^= 0xff;
    expectEnvelopeError(() => openEnvelope(badHeader, limit), 'INFLATE_FAILED', /incorrect header check/);
    expectEnvelopeError(() => openEnvelope(Buffer.concat([sealed, Buffer.from('x')]), limit), 'INFLATE_FAILED', /1 bytes after its compressed stream/);
    expectEnvelopeError(() => openEnvelope(envelope(Buffer.alloc(0), 0), limit), 'INFLATE_FAILED');
  });

  it('refuses short headers, unknown versions and unknown codecs', () => {
    const sealed = encodeEnvelope(payload);
    for (const length of [0, 3, 4, 9]) {
      expectEnvelopeError(() => openEnvelope(sealed.subarray(0, length), limit), 'INVALID_ENVELOPE', /not a compression envelope/);
    }
    for (const version of [0, 2, 255]) {
      expectEnvelopeError(() => openEnvelope(envelope(sealed.subarray(10), payload.length, { version }), limit), 'INVALID_ENVELOPE', new RegExp(`version ${version} is not supported`));
    }
    for (const codec of [0, 2, 255]) {
      expectEnvelopeError(() => openEnvelope(envelope(sealed.subarray(10), payload.length, { codec }), limit), 'UNKNOWN_CODEC', new RegExp(`codec id ${codec} is unknown`));
    }
  });

  it('refuses a limit that is not a non-negative integer (a configuration bug)', () => {
    const sealed = encodeEnvelope(payload);
    for (const maxInflatedBytes of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => openEnvelope(sealed, { maxInflatedBytes })).toThrow(RangeError);
    }
  });
});
