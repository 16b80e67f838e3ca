import { describe, expect, it } from 'vitest';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { LeaseTableSource } from '../../../src/dashboard/lease-source.ts';

function lease(shardId: string, owner: string | undefined, checkpoint: string, extra: Record<string, unknown> = {}): Lease {
  return { ...newLease(shardId, { checkpoint }), leaseOwner: owner, leaseCounter: 1, ...extra };
}

/** A lease table whose contents the test sets before each scan. */
function table() {
  let rows: Lease[] = [];
  return { set: (next: Lease[]) => (rows = next), listLeases: async () => rows };
}

describe('the lease table as the dashboard follows it', () => {
  it('records a move when an owner changes between scans, not for what the first scan finds', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 60_000);
    t.set([lease('s-0', 'a', '1'), lease('s-1', undefined, 'TRIM_HORIZON')]);
    await source.poll(1000);
    expect(source.view(1000).moves).toEqual([]);
    t.set([lease('s-0', 'b', '1'), lease('s-1', 'a', 'TRIM_HORIZON')]);
    await source.poll(2000);
    expect(source.view(2000).moves).toEqual([
      { at: 2000, shardId: 's-0', from: 'a', to: 'b' },
      { at: 2000, shardId: 's-1', from: undefined, to: 'a' },
    ]);
    await source.poll(3000);
    expect(source.view(3000).moves, 'an unchanged owner is no move').toHaveLength(2);
  });

  it('does not count twice a move a consumer reported before the scan saw it', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 60_000);
    t.set([lease('s-0', 'a', '1')]);
    await source.poll(1000);
    source.recordMove({ at: 1500, shardId: 's-0', from: 'a', to: undefined });
    source.recordMove({ at: 1600, shardId: 's-0', from: undefined, to: 'b' });
    expect(source.view(1600).leases[0].owner).toBe('b');
    t.set([lease('s-0', 'b', '1')]);
    await source.poll(2000);
    expect(source.view(2000).moves.map((m) => [m.from, m.to])).toEqual([['a', undefined], [undefined, 'b']]);
  });

  it('shows a lease taken free, that a scan last saw with another owner, as released by that owner first', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 60_000);
    t.set([lease('s-0', 'a', '1')]);
    await source.poll(1000);
    source.recordMove({ at: 1500, shardId: 's-0', from: undefined, to: 'b' });
    expect(source.view(1500).moves).toEqual([
      { at: 1500, shardId: 's-0', from: 'a', to: undefined },
      { at: 1500, shardId: 's-0', from: undefined, to: 'b' },
    ]);
  });

  it('dates a checkpoint from when it was seen to change, and forgets moves older than the history', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 5000);
    t.set([lease('s-0', 'a', '1')]);
    await source.poll(1000);
    t.set([lease('s-0', 'b', '1')]);
    await source.poll(2000);
    expect(source.view(2000).leases[0].checkpointSeenAt).toBe(1000);
    t.set([lease('s-0', 'b', '2')]);
    await source.poll(3000);
    expect(source.view(3000).leases[0].checkpointSeenAt).toBe(3000);
    expect(source.view(6999).moves).toHaveLength(1);
    expect(source.view(7001).moves).toHaveLength(0);
  });

  it('reads throughputKBps when the fleet writes it, and ignores a value that is not a number', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 5000);
    t.set([lease('s-0', 'a', '1', { throughputKBps: 12.5 }), lease('s-1', 'a', '1', { throughputKBps: 'fast' }), lease('s-2', 'a', '1')]);
    await source.poll(1000);
    expect(source.view(1000).leases.map((l) => l.throughputKBps)).toEqual([12.5, undefined, undefined]);
  });

  it('drops a lease that left the table, and lets a failed scan reject for the caller to report', async () => {
    const t = table();
    const source = new LeaseTableSource(t, 5000);
    t.set([lease('s-0', 'a', '1'), lease('s-1', 'a', '1')]);
    await source.poll(1000);
    t.set([lease('s-1', 'a', '1')]);
    await source.poll(2000);
    expect(source.view(2000).leases.map((l) => l.shardId)).toEqual(['s-1']);
    const failing = new LeaseTableSource({ listLeases: () => Promise.reject(new Error('table gone')) }, 5000);
    await expect(failing.poll(1000)).rejects.toThrow('table gone');
  });
});
