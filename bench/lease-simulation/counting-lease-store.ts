import type { Checkpoint, Lease } from '../../src/leases/lease.ts';
import type { LeaseStore, LeaseWriteResult } from '../../src/leases/lease-store.ts';

/**
 * A {@link LeaseStore} that counts what the coordinator asks of the store under it, by method
 * and outcome (`takeLease ok`, `takeLease leaseLost`, `listLeaseSegment`, `renewLease error`):
 * the same counts from a real fleet and a simulated one tell behaviour apart from billing.
 */
export class CountingLeaseStore implements LeaseStore {
  readonly counts: Record<string, number> = {};
  /** The same counts per `phaseOf()` as each call started. */
  readonly byPhase: Record<string, Record<string, number>> = {};

  constructor(
    private readonly store: LeaseStore,
    private readonly phaseOf: () => string = () => 'all',
  ) {}

  ensureTable(): Promise<void> {
    return this.store.ensureTable();
  }

  listLeases(): Promise<Lease[]> {
    return this.count('listLeases', () => this.store.listLeases());
  }

  listLeaseSegment(segment: number, totalSegments: number): Promise<Lease[]> {
    return this.count('listLeaseSegment', () => this.store.listLeaseSegment(segment, totalSegments));
  }

  getLease(leaseKey: string): Promise<Lease | undefined> {
    return this.count('getLease', () => this.store.getLease(leaseKey));
  }

  createLeaseIfNotExists(lease: Lease): Promise<boolean> {
    return this.count('createLeaseIfNotExists', () => this.store.createLeaseIfNotExists(lease), (created) => (created ? 'created' : 'existed'));
  }

  renewLease(lease: Lease, throughputKBps?: number): Promise<LeaseWriteResult> {
    return this.write('renewLease', () => this.store.renewLease(lease, throughputKBps));
  }

  takeLease(lease: Lease, owner: string): Promise<LeaseWriteResult> {
    return this.write('takeLease', () => this.store.takeLease(lease, owner));
  }

  checkpoint(lease: Lease, checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<LeaseWriteResult> {
    return this.write('checkpoint', () => this.store.checkpoint(lease, checkpoint, subSequenceNumber, state));
  }

  releaseLease(lease: Lease): Promise<LeaseWriteResult> {
    return this.write('releaseLease', () => this.store.releaseLease(lease));
  }

  deleteLease(lease: Lease): Promise<LeaseWriteResult> {
    return this.write('deleteLease', () => this.store.deleteLease(lease));
  }

  updateChildShardIds(leaseKey: string, childShardIds: readonly string[]): Promise<LeaseWriteResult> {
    return this.write('updateChildShardIds', () => this.store.updateChildShardIds(leaseKey, childShardIds));
  }

  private write(method: string, call: () => Promise<LeaseWriteResult>): Promise<LeaseWriteResult> {
    return this.count(method, call, (result) => result.outcome);
  }

  private async count<T>(method: string, call: () => Promise<T>, outcome?: (result: T) => string): Promise<T> {
    const phase = (this.byPhase[this.phaseOf()] ??= {});
    const add = (key: string) => {
      for (const counts of [this.counts, phase]) counts[key] = (counts[key] ?? 0) + 1;
    };
    try {
      const result = await call();
      add(outcome ? `${method} ${outcome(result)}` : method);
      return result;
    } catch (error) {
      add(`${method} error`);
      throw error;
    }
  }
}
