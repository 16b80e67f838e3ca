import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * DynamoDB's size of a number: about one byte per two significant digits, plus one; leading
 * and trailing zeros are not stored (the exponent holds them), a minus sign costs a byte.
 */
export function numberSize(text: string): number {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1 + (negative ? 1 : 0);
}

/**
 * The size DynamoDB counts for one attribute value: strings and binary by their bytes, numbers
 * as above, sets as the sum of their members, lists and maps 3 bytes plus 1 per element.
 */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, s) => sum + numberSize(s), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueSize(v), 0);
  throw new TypeError(`unknown attribute value ${JSON.stringify(value)}`);
}

/** An item's size as DynamoDB bills it: every attribute name's UTF-8 bytes plus its value's size. */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}
