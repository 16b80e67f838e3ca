import type { Checkpoint, Lease } from '../../../src/leases/lease.ts';
import type { LeaseStore, LeaseWriteResult } from '../../../src/leases/lease-store.ts';
import { actualOwner } from '../../../src/leases/lease-handoff.ts';

type Mutable = { -readonly [K in keyof Lease]: Lease[K] };

/**
 * A LeaseStore in memory with the DynamoDB store's conditions, for unit tests. `failWith`
 * makes every call reject (a DynamoDB outage) until cleared.
 */
export class InMemoryLeaseStore implements LeaseStore {
  readonly rows = new Map<string, Lease>();
  failWith: Error | undefined;
  writes = 0;
  fullScans = 0;
  segmentScans = 0;
  /** Items read by scans (full or segment), what DynamoDB would charge read units for. */
  itemsScanned = 0;
  /** Scans asked for, failed ones included. */
  scanAttempts = 0;
  /** Makes scans only (not other calls) reject, e.g. with a throttling error, until cleared. */
  scanFailWith: Error | undefined;

  async ensureTable(): Promise<void> {}

  async listLeases(): Promise<Lease[]> {
    this.checkScan();
    this.fullScans++;
    this.itemsScanned += this.rows.size;
    return [...this.rows.values()].map((lease) => ({ ...lease }));
  }

  /** Segments by an FNV-1a hash of the key, as DynamoDB splits by its hash: disjoint, stable, covering. */
  async listLeaseSegment(segment: number, totalSegments: number): Promise<Lease[]> {
    this.checkScan();
    this.segmentScans++;
    const read = [...this.rows.values()].filter((lease) => segmentOf(lease.leaseKey, totalSegments) === segment);
    this.itemsScanned += read.length;
    return read.map((lease) => ({ ...lease }));
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    this.check();
    const lease = this.rows.get(leaseKey);
    return lease && { ...lease };
  }

  async createLeaseIfNotExists(lease: Lease): Promise<boolean> {
    this.check();
    if (this.rows.has(lease.leaseKey)) return false;
    this.rows.set(lease.leaseKey, { ...lease });
    return true;
  }

  async renewLease(lease: Lease, throughputKBps?: number): Promise<LeaseWriteResult> {
    return this.write(lease, (row) => row.leaseCounter === lease.leaseCounter && mayWrite(row, lease), (row) => {
      if (throughputKBps !== undefined) row.throughputKBps = throughputKBps;
    });
  }

  async takeLease(lease: Lease, owner: string): Promise<LeaseWriteResult> {
    return this.write(lease, (row) => row.leaseCounter === lease.leaseCounter && row.checkpointOwner === lease.checkpointOwner, (row) => {
      if (lease.leaseOwner !== undefined && lease.leaseOwner !== owner) row.ownerSwitchesSinceCheckpoint++;
      row.leaseOwner = owner;
      delete row.checkpointOwner;
    });
  }

  async checkpoint(lease: Lease, checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<LeaseWriteResult> {
    return this.write(lease, (row) => row.leaseCounter === lease.leaseCounter && mayWrite(row, lease), (row) => {
      row.checkpoint = checkpoint;
      row.checkpointSubSequenceNumber = subSequenceNumber;
      if (state !== undefined) row.checkpointState = state;
      row.ownerSwitchesSinceCheckpoint = 0;
      delete row.pendingCheckpoint;
      delete row.pendingCheckpointSubSequenceNumber;
    });
  }

  async releaseLease(lease: Lease): Promise<LeaseWriteResult> {
    const handoff = lease.checkpointOwner !== undefined;
    const condition = (row: Lease) =>
      row.leaseCounter === lease.leaseCounter && (handoff ? row.checkpointOwner === lease.checkpointOwner : row.leaseOwner === lease.leaseOwner && row.checkpointOwner === undefined);
    return this.write(lease, condition, (row) => {
      if (handoff) delete row.checkpointOwner;
      else delete row.leaseOwner;
    });
  }

  async deleteLease(lease: Lease): Promise<LeaseWriteResult> {
    this.check();
    const row = this.rows.get(lease.leaseKey);
    if (!row || row.leaseOwner !== lease.leaseOwner) return { outcome: 'leaseLost', leaseKey: lease.leaseKey };
    this.rows.delete(lease.leaseKey);
    return { outcome: 'ok', lease: row };
  }

  async updateChildShardIds(leaseKey: string, childShardIds: readonly string[]): Promise<LeaseWriteResult> {
    this.check();
    const row = this.rows.get(leaseKey);
    if (!row) return { outcome: 'leaseLost', leaseKey };
    const next = { ...row, childShardIds: [...childShardIds] };
    this.rows.set(leaseKey, next);
    return { outcome: 'ok', lease: { ...next } };
  }

  private write(lease: Lease, condition: (row: Lease) => boolean, change: (row: Mutable) => void): LeaseWriteResult {
    return this.writeKey(lease.leaseKey, condition, change);
  }

  /** A write conditional on the row as it is now, bumping the counter. */
  protected async update(leaseKey: string, condition: (row: Lease) => boolean, change: (row: Mutable) => void): Promise<LeaseWriteResult> {
    return this.writeKey(leaseKey, condition, change);
  }

  private writeKey(leaseKey: string, condition: (row: Lease) => boolean, change: (row: Mutable) => void): LeaseWriteResult {
    this.check();
    this.writes++;
    const row = this.rows.get(leaseKey);
    if (!row || !condition(row)) return { outcome: 'leaseLost', leaseKey };
    const next: Mutable = { ...row, leaseCounter: row.leaseCounter + 1 };
    change(next);
    this.rows.set(leaseKey, next);
    return { outcome: 'ok', lease: { ...next } };
  }

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  private checkScan(): void {
    this.scanAttempts++;
    this.check();
    if (this.scanFailWith) throw this.scanFailWith;
  }
}

/** The DynamoDB store's condition: the worker the caller saw as the actual owner still may write the lease. */
function mayWrite(row: Lease, seen: Lease): boolean {
  const actual = actualOwner(seen);
  return (row.leaseOwner === actual && row.checkpointOwner === undefined) || (actual !== undefined && row.checkpointOwner === actual);
}

/** The segment of `key` among `totalSegments`: its 32-bit FNV-1a hash, split into equal ranges. */
export function segmentOf(key: string, totalSegments: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return Math.floor((hash / 2 ** 32) * totalSegments);
}

/** An {@link InMemoryLeaseStore} whose table has the owner index: the direct hand-off's Query, hand-off and claim. */
export class IndexedInMemoryLeaseStore extends InMemoryLeaseStore {
  queries = 0;

  async listLeaseKeysOwnedBy(owner: string): Promise<string[]> {
    if (this.failWith) throw this.failWith;
    this.queries++;
    return [...this.rows.values()].filter((lease) => lease.leaseOwner === owner).map((lease) => lease.leaseKey);
  }

  handOffLease(lease: Lease, successor: string): Promise<LeaseWriteResult> {
    return this.update(lease.leaseKey, (row) => row.leaseCounter === lease.leaseCounter && row.leaseOwner === lease.leaseOwner && row.checkpointOwner === undefined, (row) => {
      row.leaseOwner = successor;
      row.ownerSwitchesSinceCheckpoint++;
    });
  }

  claimLease(leaseKey: string, owner: string): Promise<LeaseWriteResult> {
    return this.update(leaseKey, (row) => row.leaseOwner === owner && row.checkpointOwner === undefined, () => undefined);
  }
}
