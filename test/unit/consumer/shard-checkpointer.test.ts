import { describe, expect, it } from 'vitest';
import type { LeaseHandle } from '../../../src/leases/lease-handle.ts';
import { LeaseLostError } from '../../../src/leases/lease-errors.ts';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { ShardCheckpointer } from '../../../src/consumer/shard-checkpointer.ts';

function setup(lost = false) {
  let lease: Lease = newLease('shard-0', { checkpoint: 'TRIM_HORIZON' });
  const writes: string[] = [];
  const report = { checkpointed: [] as string[], failed: 0 };
  const handle: LeaseHandle = {
    shardId: 'shard-0',
    read: async () => lease,
    parentsDone: async () => true,
    checkpoint: async (checkpoint, checkpointSubSequenceNumber, checkpointState) => {
      if (lost) throw new LeaseLostError('shard-0', 'another worker took it');
      writes.push(`${checkpoint}/${checkpointSubSequenceNumber}${checkpointState === undefined ? '' : ` ${checkpointState}`}`);
      lease = { ...lease, checkpoint, checkpointSubSequenceNumber, checkpointState };
      return lease;
    },
  };
  const checkpoints = new ShardCheckpointer(handle, {
    checkpointed: (sequenceNumber, subSequenceNumber) => report.checkpointed.push(`${sequenceNumber}/${subSequenceNumber}`),
    checkpointFailed: () => report.failed++,
  });
  return { checkpoints, writes, report };
}

describe('ShardCheckpointer', () => {
  it('checkpoints at the named record, or at the last one handed over, once per position', async () => {
    const { checkpoints, writes, report } = setup();
    checkpoints.resumeFrom('TRIM_HORIZON');
    const checkpointer = checkpoints.checkpointer(false);
    await checkpointer.checkpoint();
    expect(writes).toEqual([]);
    checkpoints.delivered({ sequenceNumber: '100', subSequenceNumber: 4 });
    await checkpointer.checkpoint({ sequenceNumber: '100', subSequenceNumber: 2 });
    await checkpointer.checkpoint();
    await checkpointer.checkpoint();
    await checkpointer.checkpoint(undefined, { state: '{"n":1}' });
    await checkpointer.checkpoint({ sequenceNumber: '90' });
    expect(writes).toEqual(['100/2', '100/4', '100/4 {"n":1}', '90/0']);
    expect(report).toEqual({ checkpointed: ['100/2', '100/4', '100/4', '90/0'], failed: 0 });
    expect(checkpoints.shardEndCheckpointed).toBe(false);
  });

  it('checkpoints SHARD_END at the end of a shard when no record is named', async () => {
    const { checkpoints, writes } = setup();
    checkpoints.delivered({ sequenceNumber: '100', subSequenceNumber: 0 });
    await checkpoints.checkpointer(true).checkpoint();
    expect(writes).toEqual(['SHARD_END/0']);
    expect(checkpoints.shardEndCheckpointed).toBe(true);
  });

  it('counts a refused checkpoint and passes the error on', async () => {
    const { checkpoints, report } = setup(true);
    checkpoints.delivered({ sequenceNumber: '100', subSequenceNumber: 0 });
    await expect(checkpoints.checkpointer(false).checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(checkpoints.checkpointer(true).checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    expect(report).toEqual({ checkpointed: [], failed: 2 });
    expect(checkpoints.shardEndCheckpointed).toBe(false);
  });
});
