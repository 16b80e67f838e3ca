import { InvalidOptionError } from '../../errors.ts';
import type { Logger } from '../../internal/logger.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { isRecord, type RecordValue } from './field-path.ts';

/** What a cleaning stage does with an item whose value is not an object. */
export type OnInvalidValue = 'drop' | 'pass';

/** Checks `options.onInvalid`. @internal */
export function resolveOnInvalid(value: unknown): OnInvalidValue {
  const onInvalid = value ?? 'drop';
  if (onInvalid !== 'drop' && onInvalid !== 'pass') throw new InvalidOptionError('onInvalid', "must be 'drop' or 'pass'", onInvalid);
  return onInvalid;
}

/**
 * Runs `each` on every item whose value is an object, keeping what it returns (undefined
 * drops the item); other items are dropped or passed per `onInvalid` and counted. @internal
 */
export function eachRecordItem(
  items: readonly StreamItem<RecordValue>[],
  how: { onInvalid: OnInvalidValue; stats: { invalid: number }; logger: Logger; event: string },
  each: (item: StreamItem<RecordValue>) => StreamItem<RecordValue> | undefined,
): StreamItem<RecordValue>[] {
  const out: StreamItem<RecordValue>[] = [];
  for (const item of items) {
    if (!isRecord(item.value)) {
      how.stats.invalid++;
      how.logger.debug({ partitionKey: item.partitionKey, onInvalid: how.onInvalid }, how.event);
      if (how.onInvalid === 'pass') out.push(item);
      continue;
    }
    const kept = each(item);
    if (kept) out.push(kept);
  }
  return out;
}
