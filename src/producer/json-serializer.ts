import { InvalidRecordError } from '../errors.ts';

/** What a value would lose in JSON, and where: `path` is built only once something is found. */
interface Loss {
  what: string;
  consequence: string;
  path: string;
}

/** Where a value sits, which decides what JSON does with `undefined`, functions and symbols. */
type Position = typeof TOP | typeof ELEMENT | typeof PROPERTY;
const TOP = 0;
const ELEMENT = 1;
const PROPERTY = 2;
const DROPPED = ['has no text for it', 'would write null', 'would drop the property'] as const;

// Built-ins whose contents live where JSON.stringify does not look: it writes them as `{}`.
const OPAQUE = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'RegExp',
  'Error',
  'Promise',
  'Symbol',
  'Generator',
  'AsyncGenerator',
  'URLSearchParams',
]);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The producer's default serializer: `JSON.stringify`, except that it refuses what JSON would
 * change or drop without a word, so that what a reader parses is what was put. Refused: `NaN`
 * and ±`Infinity` (JSON writes null), `undefined` at the top or in an array, functions and
 * symbols (dropped, or null in an array), BigInts, cycles, invalid Dates, Maps, Sets and the
 * other built-ins JSON writes as `{}`, and bytes inside a value (ArrayBuffers, typed arrays,
 * DataViews, Buffers). Accepted as JSON has it: a property whose value is `undefined` is left
 * out (a reader gets `undefined` for it all the same); an object with `toJSON()`, such as a
 * Date, is written as that method says, unchecked.
 *
 * The check runs after `JSON.stringify` succeeds and walks the value once (so a getter runs
 * twice); the path to a problem is only built when there is one.
 *
 * @throws {InvalidRecordError} `SERIALIZATION_FAILED`, naming what is wrong and its path (`$.items[2].price`).
 * @example
 * serializeJson({ page: '/home', at: new Date(0) }); // '{"page":"/home","at":"1970-01-01T00:00:00.000Z"}'
 * serializeJson({ price: NaN }); // throws: NaN at $.price: JSON would write null
 */
export function serializeJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    // Cycles and BigInts throw without saying where; a walk that tracks its ancestors finds them.
    throw refusal(locate(value, []), cause);
  }
  const loss = locate(value, undefined);
  if (loss !== undefined || json === undefined) throw refusal(loss);
  return json;
}

function locate(value: unknown, ancestors: object[] | undefined): Loss | undefined {
  try {
    return findLoss(value, TOP, ancestors);
  } catch {
    // A getter that throws, or nesting deeper than the stack: the caller reports what JSON said.
    return undefined;
  }
}

function refusal(loss: Loss | undefined, cause?: unknown): InvalidRecordError {
  const detail =
    loss !== undefined
      ? `${loss.what} at ${loss.path}: JSON ${loss.consequence}`
      : cause instanceof Error
        ? cause.message.replace(/\s*\n\s*/g, ' ')
        : 'JSON.stringify returned nothing';
  return new InvalidRecordError('SERIALIZATION_FAILED', `the record cannot be written as JSON: ${detail}`, cause);
}

function loss(what: string, consequence: string): Loss {
  return { what, consequence, path: '$' };
}

function findLoss(value: unknown, position: Position, ancestors: object[] | undefined): Loss | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : loss(String(value), 'would write null');
    case 'object':
      return value === null ? undefined : objectLoss(value, ancestors);
    case 'undefined':
      return position === PROPERTY ? undefined : loss('undefined', DROPPED[position]);
    case 'bigint':
      return hasToJson(value) ? undefined : loss('a BigInt', 'has no BigInt: convert it to a string or a number');
    default:
      return loss(typeof value === 'function' ? 'a function' : 'a symbol', DROPPED[position]);
  }
}

function objectLoss(value: object, ancestors: object[] | undefined): Loss | undefined {
  if (ancestors === undefined) return contentLoss(value, undefined);
  if (ancestors.includes(value)) return loss('a circular reference', 'cannot write an object inside itself');
  ancestors.push(value);
  const found = contentLoss(value, ancestors);
  ancestors.pop();
  return found;
}

function contentLoss(value: object, ancestors: object[] | undefined): Loss | undefined {
  if (hasToJson(value)) return toJsonLoss(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findLoss(value[i], ELEMENT, ancestors);
      if (found !== undefined) return within(found, `[${i}]`);
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const found = builtInLoss(value);
    if (found !== undefined) return found;
  }
  // for...in reads values through V8's enum cache, twice as fast as Object.keys() and a lookup
  // per key; the keys it also visits that JSON leaves out (inherited ones) are let through.
  for (const key in value) {
    const found = findLoss((value as Record<string, unknown>)[key], PROPERTY, ancestors);
    if (found !== undefined && Object.hasOwn(value, key)) return within(found, IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
  }
  return undefined;
}

function hasToJson(value: object | bigint): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function toJsonLoss(value: object): Loss | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? loss('an invalid Date', 'would write null') : undefined;
  if (ArrayBuffer.isView(value)) return bytesLoss(value);
  return undefined;
}

function builtInLoss(value: object): Loss | undefined {
  const tag = tagOf(value);
  if (ArrayBuffer.isView(value) || tag.endsWith('ArrayBuffer')) return bytesLoss(value);
  if (tag === 'Number') return Number.isFinite(Number(value)) ? undefined : loss(String(Number(value)), 'would write null');
  if (!OPAQUE.has(tag) && !tag.endsWith(' Iterator')) return undefined;
  return loss(withArticle(tag), 'would write it as {}, without its contents');
}

function bytesLoss(value: object): Loss {
  return loss(Buffer.isBuffer(value) ? 'a Buffer' : withArticle(tagOf(value)), 'has no bytes: put them on their own, or encode them (base64) into a string');
}

function within(found: Loss, segment: string): Loss {
  found.path = `$${segment}${found.path.slice(1)}`;
  return found;
}

/**
 * A short name of a value's kind for messages: `a Map`, `an ArrayBuffer`, `a number`.
 * @internal
 */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const tag = typeof value === 'object' ? tagOf(value) : typeof value;
  return withArticle(tag === 'Object' ? 'object' : tag);
}

/** `Map`, `Uint8Array`, `Object`: what `Object.prototype.toString` names (a class's own tag included). */
function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function withArticle(name: string): string {
  return `${/^[AEIOaeio]/.test(name) ? 'an' : 'a'} ${name}`;
}
