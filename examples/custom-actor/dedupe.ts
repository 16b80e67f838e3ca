import { defineStage, InvalidOptionError, type Stage, type StreamItem } from '../../src/index.ts';

/**
 * The smallest useful custom actor: drops records whose id was seen recently on this shard.
 * Kinesis delivers at least once (a producer retry after a lost response writes a record
 * twice), so consumers that count or bill need this. The ids it remembers are checkpointed
 * with the shard, so a restarted or rebalanced worker keeps dropping the same duplicates.
 */
export function dedupe<T>(options: { id: (value: T) => string; remember?: number }): Stage<StreamItem<T>, StreamItem<T>, string[]> {
  const remember = options.remember ?? 1000;
  if (!Number.isInteger(remember) || remember < 1) throw new InvalidOptionError('remember', 'must be a positive integer', remember);
  if (typeof options.id !== 'function') throw new InvalidOptionError('id', 'must be a function of the record value', options.id);
  return defineStage({
    name: 'dedupe',
    create: ({ logger }) => {
      // Insertion-ordered: the oldest id is the first one.
      let seen = new Set<string>();
      return {
        process(items) {
          const fresh = items.filter((item) => {
            const id = options.id(item.value);
            if (seen.has(id)) return false;
            seen.add(id);
            if (seen.size > remember) seen.delete(seen.values().next().value!);
            return true;
          });
          if (fresh.length < items.length) logger.debug({ dropped: items.length - fresh.length }, 'dedupe.dropped');
          return fresh;
        },
        snapshot: () => [...seen],
        restore: (ids) => {
          seen = new Set(ids);
        },
      };
    },
  });
}
