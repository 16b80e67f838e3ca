import { InvalidOptionError } from '../../errors.ts';
import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { isRecord, parseFieldPath, REMOVE, updatePath, type RecordValue } from './field-path.ts';
import { hashValue, maskEmail, maskIp } from './mask-values.ts';
import { eachRecordItem, resolveOnInvalid, type OnInvalidValue } from './record-items.ts';

/**
 * What `maskFields` does to one field:
 * - `'redact'`: replace it with `redactWith`;
 * - `'hash'`: HMAC-SHA256 with `hashSecret`, hex (equal inputs give equal outputs, so joins still work);
 * - `'maskIp'`: IPv4 keeps 3 octets (`a.b.c.0`), IPv6 keeps 48 bits (`2001:db8:1::`);
 * - `'maskEmail'`: `j***@example.com`;
 * - `'drop'`: remove the field.
 */
export type MaskAction = 'redact' | 'hash' | 'maskIp' | 'maskEmail' | 'drop';

/** Options of {@link maskFields}. */
export interface MaskFieldsOptions {
  /** @defaultValue 'maskFields' */
  name?: string | undefined;
  /** Dot path (`user.email`) → action, applied in this order. Paths go through objects only. Required, non-empty. */
  fields: Readonly<Record<string, MaskAction>>;
  /** Key of the `'hash'` action; required when a field hashes. @defaultValue none */
  hashSecret?: string | Buffer | undefined;
  /** Replacement of `'redact'`, and of values `'maskIp'` / `'maskEmail'` cannot parse. @defaultValue '[REDACTED]' */
  redactWith?: string | undefined;
  /** Items whose value is not an object. @defaultValue 'drop' */
  onInvalid?: OnInvalidValue | undefined;
}

/** Counts of a cleaning stage, summed over its instances (shards) since it was created. */
export interface CleanStats {
  /** Items whose value was not an object (dropped or passed, per `onInvalid`). */
  invalid: number;
}

/** A stage that masks fields, with its counts. */
export interface MaskFieldsStage extends Stage<StreamItem<RecordValue>, StreamItem<RecordValue>> {
  readonly stats: Readonly<CleanStats>;
}

const ACTIONS: readonly MaskAction[] = ['redact', 'hash', 'maskIp', 'maskEmail', 'drop'];
const kDefaultOptions = { name: 'maskFields', redactWith: '[REDACTED]', onInvalid: 'drop' as OnInvalidValue };

interface FieldRule {
  path: readonly string[];
  mask: (value: unknown) => unknown;
}

function resolveRules(options: MaskFieldsOptions, redactWith: string): FieldRule[] {
  if (!isRecord(options.fields) || Object.keys(options.fields).length === 0) {
    throw new InvalidOptionError('fields', 'must map at least one dot path to an action', options.fields);
  }
  const secret = options.hashSecret;
  return Object.entries(options.fields).map(([key, action]) => {
    const field = `fields[${JSON.stringify(key)}]`;
    const path = parseFieldPath(key, field);
    if (!ACTIONS.includes(action)) throw new InvalidOptionError(field, `must be one of ${ACTIONS.map((a) => `'${a}'`).join(', ')}`, action);
    const keepNull = (mask: (v: unknown) => unknown) => (v: unknown) => (v === null ? null : mask(v));
    switch (action) {
      case 'redact':
        return { path, mask: keepNull(() => redactWith) };
      case 'hash':
        if (!((typeof secret === 'string' || Buffer.isBuffer(secret)) && secret.length > 0)) {
          throw new InvalidOptionError('hashSecret', `must be a non-empty string or Buffer: ${field} is 'hash'`, secret);
        }
        return { path, mask: keepNull((v) => hashValue(secret, v)) };
      case 'maskIp':
        return { path, mask: keepNull((v) => maskIp(v) ?? redactWith) };
      case 'maskEmail':
        return { path, mask: keepNull((v) => maskEmail(v) ?? redactWith) };
      case 'drop':
        return { path, mask: () => REMOVE };
    }
  });
}

/**
 * Masks personal data before it is stored or forwarded: per field, redact, hash (HMAC-SHA256),
 * mask an IP or e-mail address, or drop it. Values are copied, never changed in place; a field
 * that is absent is left absent and `null` stays `null`. Options are checked here: an unknown
 * action, an empty path or a missing `hashSecret` throw an `InvalidOptionError` naming the field.
 *
 * @example
 * const mask = maskFields({
 *   fields: { 'user.email': 'hash', ip: 'maskIp', password: 'drop' },
 *   hashSecret: process.env.CLICK_HASH_KEY,
 * });
 * Pipeline.from<ConsumerRecord>().pipe(parseJson()).pipe(mask);
 */
export function maskFields(options: MaskFieldsOptions): MaskFieldsStage {
  if (!isRecord(options)) throw new InvalidOptionError('maskFields', 'must be an object with fields', options);
  const redactWith = options.redactWith ?? kDefaultOptions.redactWith;
  if (typeof redactWith !== 'string') throw new InvalidOptionError('redactWith', 'must be a string', redactWith);
  const onInvalid = resolveOnInvalid(options.onInvalid);
  const rules = resolveRules(options, redactWith);
  const stats: CleanStats = { invalid: 0 };
  const stage = defineStage<StreamItem<RecordValue>, StreamItem<RecordValue>>({
    name: options.name ?? kDefaultOptions.name,
    create: ({ logger }) => ({
      process(items) {
        return eachRecordItem(items, { onInvalid, stats, logger, event: 'maskFields.invalid' }, (item) => {
          let value = item.value;
          for (const rule of rules) value = updatePath(value, rule.path, rule.mask);
          return value === item.value ? item : { ...item, value };
        });
      },
    }),
  });
  return Object.freeze({ ...stage, stats });
}
