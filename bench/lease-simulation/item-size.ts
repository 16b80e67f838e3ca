import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * DynamoDB's size of a number: its significant digits in pairs, base 100, the pairs aligned on
 * the decimal point (1.5 is 01 50, two bytes; 15 is one), plus a byte, plus one for a minus
 * sign; leading and trailing zeros are not stored. The documentation's "one byte per two
 * significant digits" is this rounded down; dynalite counts the alignment as here.
 */
export function numberSize(text: string): number {
  const negative = text.startsWith('-');
  const [mantissa, exponent = '0'] = text.replace(/^[-+]/, '').split(/[eE]/);
  const [whole, fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  // Digits before the decimal point, once the leading zeros are gone.
  let before = whole.length + Number(exponent);
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading).replace(/0+$/, '');
  before -= leading;
  if (digits.length === 0) return 1;
  // An odd count of digits before the point leaves the first pair half empty.
  const pairs = Math.ceil((digits.length + (Math.abs(before) % 2)) / 2);
  return pairs + 1 + (negative ? 1 : 0);
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
