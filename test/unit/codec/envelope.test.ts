import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, isEnvelope, openEnvelope, DEFAULT_MAX_INFLATED_BYTES } from '../../../src/codec/envelope.ts';
import { EnvelopeError } from '../../../src/errors.ts';

function header(codec: number, declared: number, version = 1): Buffer {
  const h = Buffer.from([0xf3, 0x4b, 0x41, 0x5a, version, codec, 0, 0, 0, 0]);
  h.writeUInt32BE(declared, 6);
  return h;
}

function expectEnvelopeError(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    expect((error as EnvelopeError).code).toBe(code);
    if (message) expect((error as Error).message).toMatch(message);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('compression envelope', () => {
  const payload = Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ page: `/p/${i % 7}`, user: `u${i}` }))));

  it('round-trips and compresses', () => {
    const envelope = encodeEnvelope(payload);
    expect(isEnvelope(envelope)).toBe(true);
    expect(envelope.length).toBeLessThan(payload.length / 3);
    expect(openEnvelope(envelope, { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }).equals(payload)).toBe(true);
  });

  it('round-trips through the bounded slow path too (limit below 1032 x compressed size)', () => {
    const envelope = encodeEnvelope(payload);
    expect(openEnvelope(envelope, { maxInflatedBytes: payload.length }).equals(payload)).toBe(true);
  });

  it('does not take plain JSON or a KPL aggregate for an envelope', () => {
    expect(isEnvelope(Buffer.from('{"a":1}'))).toBe(false);
    expect(isEnvelope(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 0, 0]))).toBe(false);
  });

  it('refuses a bomb with an honest header before inflating', () => {
    const bomb = Buffer.concat([header(1, 200 * 1024 * 1024), deflateSync(Buffer.alloc(1024 * 1024))]);
    expectEnvelopeError(() => openEnvelope(bomb, { maxInflatedBytes: 16 * 1024 * 1024 }), 'INFLATE_LIMIT_EXCEEDED', /declares 209715200/);
  });

  it('stops a bomb with a lying header during inflation', () => {
    const zeros = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const bomb = Buffer.concat([header(1, 1000), zeros]);
    const before = process.memoryUsage().arrayBuffers;
    expectEnvelopeError(() => openEnvelope(bomb, { maxInflatedBytes: 1024 * 1024 }), 'INFLATE_LIMIT_EXCEEDED', /past its declared 1000/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('catches a lying header on the fast path as well', () => {
    const small = deflateSync(Buffer.alloc(5000, 7));
    expectEnvelopeError(() => openEnvelope(Buffer.concat([header(1, 100), small]), { maxInflatedBytes: 16 * 1024 * 1024 }), 'INFLATE_LIMIT_EXCEEDED');
    expectEnvelopeError(() => openEnvelope(Buffer.concat([header(1, 9000), small]), { maxInflatedBytes: 16 * 1024 * 1024 }), 'INFLATE_FAILED');
  });

  it('rejects truncated and corrupt payloads', () => {
    const envelope = encodeEnvelope(payload);
    expectEnvelopeError(() => openEnvelope(envelope.subarray(0, envelope.length - 10), { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }), 'INFLATE_FAILED');
    const corrupt = Buffer.from(envelope);
    corrupt[corrupt.length - 2] ^= 0xff;
    expectEnvelopeError(() => openEnvelope(corrupt, { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }), 'INFLATE_FAILED');
    expectEnvelopeError(() => openEnvelope(envelope.subarray(0, 6), { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }), 'INVALID_ENVELOPE');
  });

  it('rejects an unknown codec and an unknown version', () => {
    const envelope = encodeEnvelope(payload);
    const codec = Buffer.from(envelope);
    codec[5] = 9;
    expectEnvelopeError(() => openEnvelope(codec, { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }), 'UNKNOWN_CODEC', /codec id 9/);
    const version = Buffer.from(envelope);
    version[4] = 2;
    expectEnvelopeError(() => openEnvelope(version, { maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES }), 'INVALID_ENVELOPE', /version 2/);
  });
});
