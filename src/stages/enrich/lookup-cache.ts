/**
 * A least-recently-used cache whose entries expire `ttlMs` after they were stored, on the
 * caller's clock. Stores misses too (`undefined` rows), so an unknown key is not looked up
 * again for every record. One per stage instance; not shared between shards.
 * @internal
 */
export class LookupCache<Row> {
  private readonly entries = new Map<string, { row: Row | undefined; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached row (`hit: true`, the row possibly undefined for a cached miss), or `hit: false`. */
  get(key: string, now: number): { hit: true; row: Row | undefined } | { hit: false } {
    const entry = this.entries.get(key);
    if (!entry) return { hit: false };
    this.entries.delete(key);
    if (entry.expiresAt <= now) return { hit: false };
    // Re-inserting moves the key to the end: Map order is the recency order.
    this.entries.set(key, entry);
    return { hit: true, row: entry.row };
  }

  set(key: string, row: Row | undefined, now: number): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { row, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
