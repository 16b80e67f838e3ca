import { InvalidOptionError, KinesisActorsError } from '../errors.ts';
import type { PutOptions } from '../producer/user-record.ts';
import type { StreamItem } from './stream-item.ts';

/**
 * Anything records can be put into: a `Producer`, or a producer-side pipeline in front of one.
 * Agents and stages that write to Kinesis take this, so a chain can be put in between.
 */
export interface PutTarget {
  put(value: unknown, options: PutOptions): Promise<unknown>;
}

/** One target, or targets by stream name (an item's `stream` picks one; the first by default). */
export type PutTargets = PutTarget | Record<string, PutTarget>;

/** The targets by name; a single target is named 'default'. @internal */
export function toTargets(targets: PutTargets): Map<string, PutTarget> {
  if (targets !== null && typeof targets === 'object' && typeof (targets as PutTarget).put === 'function') return new Map([['default', targets as PutTarget]]);
  if (targets === null || typeof targets !== 'object') throw new InvalidOptionError('targets', 'must be a producer or an object of producers by stream name', targets);
  const map = new Map(Object.entries(targets as Record<string, PutTarget>));
  if (map.size === 0) throw new InvalidOptionError('targets', 'must name at least one producer', targets);
  for (const [name, target] of map) {
    if (!target || typeof target.put !== 'function') throw new InvalidOptionError(`targets.${name}`, 'must have a put(value, { partitionKey }) method', target);
  }
  return map;
}

/** Puts one item into the target its `stream` names (the first when it names none). @internal */
export function putItem(targets: Map<string, PutTarget>, item: StreamItem): Promise<unknown> {
  const name = item.stream ?? targets.keys().next().value!;
  const target = targets.get(name);
  if (!target) {
    return Promise.reject(new KinesisActorsError('UNKNOWN_STREAM', `an item was routed to stream "${name}", which is not among the targets (${[...targets.keys()].join(', ')})`));
  }
  return target.put(item.value, { partitionKey: item.partitionKey, ...(item.explicitHashKey === undefined ? {} : { explicitHashKey: item.explicitHashKey }) });
}
