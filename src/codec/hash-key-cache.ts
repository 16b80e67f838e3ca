import { hashKeyOf } from './hash-key.ts';

const MAX_CACHED_KEYS = 65_536;

/**
 * MD5 of partition keys, cached: click streams reuse a bounded set of keys (user ids), and a
 * cached lookup costs a tenth of hashing.
 */
export class HashKeyCache {
  private cache = new Map<string, bigint>();

  get(partitionKey: string): bigint {
    let hashKey = this.cache.get(partitionKey);
    if (hashKey === undefined) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache = new Map();
      hashKey = hashKeyOf(partitionKey);
      this.cache.set(partitionKey, hashKey);
    }
    return hashKey;
  }
}
