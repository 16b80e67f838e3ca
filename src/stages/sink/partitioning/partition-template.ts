import { InvalidOptionError } from '../../../errors.ts';
import type { StreamItem } from '../../../pipeline/stream-item.ts';
import { PartitionError } from './partition-error.ts';

/** Parts of a template that come from the item's event time (UTC), as Firehose's `!{timestamp:…}`. */
const TIME_TOKENS: Readonly<Record<string, (t: Date) => string>> = {
  yyyy: (t) => String(t.getUTCFullYear()).padStart(4, '0'),
  MM: (t) => String(t.getUTCMonth() + 1).padStart(2, '0'),
  dd: (t) => String(t.getUTCDate()).padStart(2, '0'),
  HH: (t) => String(t.getUTCHours()).padStart(2, '0'),
  mm: (t) => String(t.getUTCMinutes()).padStart(2, '0'),
};

type Part = { text: string } | { field: readonly string[]; name: string } | { time: (t: Date) => string };

/**
 * Compiles a template such as `page={page}/dt={yyyy}-{MM}-{dd}/` into a function of an item.
 * `{a.b}` is the field `b` of the field `a` of the item's value; `{yyyy}`, `{MM}`, `{dd}`,
 * `{HH}`, `{mm}` are its event time in UTC. Throws {@link InvalidOptionError} for a malformed
 * template; the function throws {@link PartitionError} for an item it cannot place. @internal
 */
export function compilePartitionTemplate(template: string, field: string): (item: StreamItem) => string {
  const parts: Part[] = [];
  const pattern = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const match of template.matchAll(pattern)) {
    if (match[3] !== undefined) throw new InvalidOptionError(field, `has an unmatched '${match[3]}' at ${match.index}`, template);
    if (match[2] !== undefined) {
      parts.push({ text: match[2] });
      continue;
    }
    const name = match[1].trim();
    if (!/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(name)) {
      throw new InvalidOptionError(field, `has {${match[1]}}, which is neither a field path (such as {page} or {user.country}) nor one of {yyyy} {MM} {dd} {HH} {mm}`, template);
    }
    const time = Object.hasOwn(TIME_TOKENS, name) ? TIME_TOKENS[name] : undefined;
    parts.push(time ? { time } : { field: name.split('.'), name });
  }
  if (!parts.some((part) => !('text' in part))) throw new InvalidOptionError(field, 'must contain at least one {field} or time part', template);
  if (!template.endsWith('/')) throw new InvalidOptionError(field, "must end with '/'", template);
  if (template.startsWith('/')) throw new InvalidOptionError(field, "must not start with '/'", template);
  return (item) => parts.map((part) => render(part, item)).join('');
}

function render(part: Part, item: StreamItem): string {
  if ('text' in part) return part.text;
  if ('time' in part) {
    if (typeof item.eventTime !== 'number' || !Number.isFinite(item.eventTime)) throw new PartitionError('the record has no event time for the time parts of the partition template');
    return part.time(new Date(item.eventTime));
  }
  let value: unknown = item.value;
  for (const key of part.field) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (value === undefined || value === null) throw new PartitionError(`the record has no field ${part.name}`);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new PartitionError(`field ${part.name} is ${Array.isArray(value) ? 'an array' : typeof value}, not a string, number or boolean`);
  }
  return checkedValue(String(value), part.name);
}

function checkedValue(value: string, name: string): string {
  if (value === '' || value === '.' || value === '..' || value.includes('/') || /[\u0000-\u001f\u007f]/.test(value) || value.length > 256) {
    throw new PartitionError(`field ${name} is ${JSON.stringify(value.slice(0, 64))}, which cannot be part of a key (empty, '.', '..', '/', control characters or over 256 characters)`);
  }
  return value;
}
