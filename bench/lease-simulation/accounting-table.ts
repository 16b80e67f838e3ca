import { createHash } from 'node:crypto';
import { sleep, type Clock } from '../../src/internal/clock.ts';
import { translateDynamoDbError } from '../../src/leases/lease-errors.ts';
import { CapacityBudget, type CapacityLimits } from './capacity-budget.ts';
import type { CapacityMeter } from './capacity-meter.ts';
import { PAGE_BYTES, readUnits, writeUnits } from './capacity-units.ts';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A global secondary index with a keys-only projection: the table's key and the index's. */
export interface KeysOnlyIndex<T> {
  readonly name: string;
  /** The index's hash key attribute, e.g. `leaseOwner`. */
  readonly attribute: string;
  /** Its value in an item; undefined leaves the item out of the index (a sparse index). */
  keyOf(value: T): string | undefined;
}

export interface AccountingTableOptions<T> {
  name: string;
  /** The table's hash key attribute, e.g. `leaseKey` (its name counts in index entries). */
  keyAttribute: string;
  clock: Clock;
  meter: CapacityMeter;
  limits: CapacityLimits;
  /** Virtual time each request (each page of a Scan or Query) takes. @defaultValue 0 */
  latencyMs?: number;
  /** The item's size in bytes as DynamoDB counts it (see item-size.ts). */
  sizeOf(value: T): number;
  index?: KeysOnlyIndex<T>;
  /** Told of every change (seeds included): the simulator's observers count moves with it. */
  onChange?: (key: string, before: T | undefined, after: T | null) => void;
}

interface Row<T> {
  readonly value: T;
  readonly size: number;
}

/** What a conditional write decides: the new value, `null` to delete, `undefined` when the condition fails. */
export type WriteDecision<T> = T | null | undefined;

/** Names a request for the meter (the DynamoDB API) and for errors (what the store was doing). */
export interface RequestName {
  api: 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';
  operation: string;
}

/**
 * One DynamoDB table in memory that bills like DynamoDB: every request's read or write units
 * by item size go to the meter, and a request past the table's per-second budget is refused
 * with the error the real lease store would surface (ProvisionedThroughputExceededException,
 * translated by `translateDynamoDbError`: a retriable THROTTLED). Values are kept as given and
 * handed out shared, so they must be immutable.
 */
export class AccountingTable<T> {
  private readonly rows = new Map<string, Row<T>>();
  private readonly indexed = new Map<string, Set<string>>();
  private readonly budget: CapacityBudget;

  constructor(private readonly options: AccountingTableOptions<T>) {
    this.budget = new CapacityBudget(options.clock, options.limits);
  }

  get name(): string {
    return this.options.name;
  }

  /** Whether the table has its keys-only index. */
  get hasIndex(): boolean {
    return this.options.index !== undefined;
  }

  get size(): number {
    return this.rows.size;
  }

  /** The current value, free of charge: for the simulator's observers, not for the designs. */
  peek(key: string): T | undefined {
    return this.rows.get(key)?.value;
  }

  /** Every current value, free of charge (observers only). */
  *values(): IterableIterator<T> {
    for (const row of this.rows.values()) yield row.value;
  }

  /** Puts an item without a request (the table as a scenario starts). */
  seed(key: string, value: T): void {
    this.apply(key, this.rows.get(key), value, this.options.sizeOf(value), false);
  }

  /** A full eventually consistent Scan in 1 MB pages, each billed by the sum of its items' sizes. */
  scan(): Promise<T[]> {
    return this.scanRows(this.rows.entries());
  }

  /**
   * One segment of a parallel Scan: the items whose key hashes into `segment` of
   * `totalSegments` (the hash space cut into equal ranges, as DynamoDB cuts it), paged and
   * billed like {@link scan} by the items of that segment only. Keys hash as in dynalite (MD5
   * of "Outliers" and the key), so a segment holds the same items as there; DynamoDB does not
   * publish its hash, but any well-mixed one fills segments as evenly. FNV-1a did not: it left
   * 2 of 4 segments of 100 sequential shard ids empty.
   */
  scanSegment(segment: number, totalSegments: number): Promise<T[]> {
    return this.scanRows(this.segmentRows(segment, totalSegments));
  }

  private *segmentRows(segment: number, totalSegments: number): IterableIterator<[string, Row<T>]> {
    for (const key of this.segmentKeys(totalSegments)[segment] ?? []) {
      const row = this.rows.get(key);
      if (row) yield [key, row];
    }
  }

  /** Keys per segment, in the table's order; kept until an item is added or deleted (the simulator's speed, not billing). */
  private readonly segments = new Map<number, string[][]>();

  private segmentKeys(totalSegments: number): string[][] {
    let keys = this.segments.get(totalSegments);
    if (!keys) {
      keys = Array.from({ length: totalSegments }, () => []);
      for (const key of this.rows.keys()) keys[Math.floor((this.hashOf(key) / 2 ** 32) * totalSegments)].push(key);
      this.segments.set(totalSegments, keys);
    }
    return keys;
  }

  private readonly hashes = new Map<string, number>();

  private hashOf(key: string): number {
    let hash = this.hashes.get(key);
    if (hash === undefined) {
      hash = createHash('md5').update('Outliers').update(key).digest().readUInt32BE(0);
      this.hashes.set(key, hash);
    }
    return hash;
  }

  private async scanRows(rows: Iterator<[string, Row<T>]>): Promise<T[]> {
    const values: T[] = [];
    for (let done = false; !done; ) {
      await this.wait();
      let bytes = 0;
      const page: T[] = [];
      for (;;) {
        const next = rows.next();
        if (next.done) {
          done = true;
          break;
        }
        page.push(next.value[1].value);
        bytes += next.value[1].size;
        if (bytes >= PAGE_BYTES) break;
      }
      this.spend('Scan', 'Scan', { read: readUnits(bytes, false) });
      for (const value of page) values.push(value);
    }
    return values;
  }

  /** GetItem, billed by the item's size (a missing item still costs one unit). */
  async get(key: string, consistent: boolean, operation = 'GetItem'): Promise<T | undefined> {
    await this.wait();
    const row = this.rows.get(key);
    this.spend('GetItem', operation, { read: readUnits(row?.size ?? 0, consistent) });
    return row?.value;
  }

  /**
   * Query on the keys-only index for one hash value: the table keys of its items, billed per
   * 1 MB page by the sum of the index entries' sizes (both keys' names and values), eventually
   * consistent as every global secondary index read is.
   */
  async query(hashValue: string, operation = 'Query'): Promise<string[]> {
    const index = this.options.index;
    if (!index) throw new TypeError(`table ${this.name} has no index`);
    const keys = [...(this.indexed.get(hashValue) ?? [])];
    const entry = utf8(index.attribute) + utf8(hashValue) + utf8(this.options.keyAttribute);
    let i = 0;
    do {
      await this.wait();
      let bytes = 0;
      const start = i;
      while (i < keys.length && bytes < PAGE_BYTES) bytes += entry + utf8(keys[i++]);
      this.spend('Query', operation, { read: readUnits(bytes, false) });
      if (i === start) break;
    } while (i < keys.length);
    return keys;
  }

  /**
   * One conditional write: `decide` sees the current value and returns the new one, `null` to
   * delete, or `undefined` when its condition fails. Billed by the larger of the item before
   * and after (a failed condition too), plus the index entries it removes and adds.
   */
  async write(key: string, name: RequestName, decide: (current: T | undefined) => WriteDecision<T>): Promise<T | null | undefined> {
    await this.wait();
    const row = this.rows.get(key);
    const next = decide(row?.value);
    const nextSize = next === undefined || next === null ? 0 : this.options.sizeOf(next);
    this.spend(name.api, name.operation, { write: writeUnits(Math.max(row?.size ?? 0, nextSize)) });
    if (next === undefined) return undefined;
    this.apply(key, row, next, nextSize, true);
    return next;
  }

  private apply(key: string, row: Row<T> | undefined, next: T | null, size: number, bill: boolean): void {
    const index = this.options.index;
    const before = row && index ? index.keyOf(row.value) : undefined;
    const after = next !== null && index ? index.keyOf(next) : undefined;
    if (next === null || !row) this.segments.clear();
    if (next === null) this.rows.delete(key);
    else this.rows.set(key, { value: next, size });
    this.options.onChange?.(key, row?.value, next);
    if (before === after) return;
    // A keys-only index entry is a few dozen bytes: one write unit to remove it, one to add it.
    if (before !== undefined) {
      this.indexed.get(before)?.delete(key);
      if (bill) this.options.meter.indexWrite(`${index!.name} write`, 1);
    }
    if (after !== undefined) {
      let keys = this.indexed.get(after);
      if (!keys) this.indexed.set(after, (keys = new Set()));
      keys.add(key);
      if (bill) this.options.meter.indexWrite(`${index!.name} write`, 1);
    }
  }

  private spend(api: string, operation: string, units: { read?: number; write?: number }): void {
    if (!this.budget.tryConsume(units)) {
      this.options.meter.throttled(api);
      const error = Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      });
      throw translateDynamoDbError(error, operation, this.name);
    }
    this.options.meter.record(api, units);
  }

  private async wait(): Promise<void> {
    const latency = this.options.latencyMs ?? 0;
    if (latency > 0) await sleep(this.options.clock, latency);
  }
}
