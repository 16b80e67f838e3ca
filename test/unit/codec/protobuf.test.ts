import { describe, expect, it } from 'vitest';
import { ProtoReader, varintSize, writeVarint } from '../../../src/codec/protobuf.ts';
import { varint } from './proto.ts';

describe('protobuf varints', () => {
  const boundaries = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 49, Number.MAX_SAFE_INTEGER];

  it.each(boundaries)('sizes, writes and reads %d like the reference encoding', (value) => {
    const expected = varint(value);
    const out = Buffer.alloc(10);
    expect(writeVarint(out, 0, value)).toBe(expected.length);
    expect(varintSize(value)).toBe(expected.length);
    expect(out.subarray(0, expected.length)).toEqual(expected);
    const reader = new ProtoReader(expected, 0, expected.length);
    expect([reader.varint(), reader.failed, reader.offset]).toEqual([value, false, expected.length]);
  });

  it('fails instead of reading 2^53 or more, a varint over ten bytes, or one cut short', () => {
    for (const bytes of [varint(2n ** 53n), varint(2n ** 64n - 1n), Buffer.alloc(11, 0xff), Buffer.from([0x80, 0x80])]) {
      const reader = new ProtoReader(bytes, 0, bytes.length);
      reader.varint();
      expect(reader.failed).toBe(true);
    }
  });

  it('never reads past its end, even inside a larger buffer', () => {
    const bytes = Buffer.from([0x0a, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]);
    const reader = new ProtoReader(bytes, 0, 4);
    expect(reader.key()).toBe(0x0a);
    reader.string();
    expect(reader.failed).toBe(true);
  });
});
