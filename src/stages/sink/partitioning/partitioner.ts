import { InvalidOptionError } from '../../../errors.ts';
import type { StreamItem } from '../../../pipeline/stream-item.ts';
import { compilePartitionTemplate } from './partition-template.ts';
import { PartitionError } from './partition-error.ts';

/** Computes the key prefix of a record's partition, e.g. `page=home/dt=2026-01-01/`. */
export type PartitionFunction = (item: StreamItem) => string;

/** Partitions an item: its prefix, or the reason it has none. @internal */
export type Partitioner = (item: StreamItem) => { prefix: string } | { error: PartitionError };

/**
 * The partitioner of option `partitionBy`: a template (see the README) or a function whose
 * result must be a relative prefix ending in '/'. Undefined when records are not partitioned.
 * @internal
 */
export function resolvePartitioner(partitionBy: string | PartitionFunction | undefined): Partitioner | undefined {
  if (partitionBy === undefined) return undefined;
  if (typeof partitionBy === 'string') {
    const render = compilePartitionTemplate(partitionBy, 'partitionBy');
    return (item) => {
      try {
        return { prefix: render(item) };
      } catch (error) {
        return { error: error instanceof PartitionError ? error : new PartitionError(String(error), { cause: error }) };
      }
    };
  }
  if (typeof partitionBy !== 'function') throw new InvalidOptionError('partitionBy', 'must be a template string or a function from an item to a key prefix', partitionBy);
  return (item) => {
    let prefix: unknown;
    try {
      prefix = partitionBy(item);
    } catch (error) {
      return { error: new PartitionError(`partitionBy threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }) };
    }
    if (typeof prefix !== 'string' || !prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').some((p) => p === '..' || p === '.') || prefix.length > 512) {
      return { error: new PartitionError(`partitionBy returned ${JSON.stringify(prefix)}, not a relative key prefix ending in '/' (at most 512 characters, no '.' or '..' parts)`) };
    }
    return { prefix };
  };
}
