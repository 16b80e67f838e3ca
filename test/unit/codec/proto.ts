import { createHash } from 'node:crypto';
import { KPL_MAGIC } from '../../../src/codec/kpl-format.ts';

/** A protobuf varint, written independently of the code under test. */
export function varint(value: number | bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt(value);
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A length-delimited field: key byte(s), length, content. */
export function bytesField(field: number, content: Buffer | string): Buffer {
  const body = Buffer.from(content);
  return Buffer.concat([varint(field * 8 + 2), varint(body.length), body]);
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)]);
}

/** Magic, protobuf body, MD5 of the body: a KPL aggregated record around any bytes. */
export function seal(body: Buffer): Buffer {
  return Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
}
