import type { ExtendedSequenceNumber } from './decode-records.ts';
import type { LeaseHandle } from '../leases/lease-handle.ts';
import type { Checkpoint } from '../leases/lease.ts';
import type { Checkpointer } from './processor.ts';

const SHARD_END = 'SHARD_END';

/** What a shard consumer reports of its checkpoints. @internal */
export interface CheckpointReport {
  checkpointed(sequenceNumber: string, subSequenceNumber: number): void;
  checkpointFailed(): void;
}

/**
 * Turns a processor's checkpoint calls into fenced writes on its shard's lease (the KCL's
 * record processor checkpointer): with no record named, at the last record handed over, or at
 * SHARD_END once the shard ended; a position already written is not written again.
 * @internal
 */
export class ShardCheckpointer {
  private lastDelivered: ExtendedSequenceNumber | undefined;
  private lastCheckpointed: string | undefined;
  /** True once SHARD_END is written, which lets the shard's children start. */
  shardEndCheckpointed = false;

  constructor(
    private readonly lease: LeaseHandle,
    private readonly report: CheckpointReport,
  ) {}

  /** The lease's checkpoint that processing resumes from. */
  resumeFrom(checkpoint: Checkpoint): void {
    this.lastCheckpointed = checkpoint;
  }

  /** The last record handed to the processor: where a checkpoint that names no record goes. */
  delivered(position: ExtendedSequenceNumber): void {
    this.lastDelivered = position;
  }

  /** The checkpointer a processor call gets; `atShardEnd` for `shardEnded`. */
  checkpointer(atShardEnd: boolean): Checkpointer {
    return {
      checkpoint: async (record, options) => {
        const state = options?.state;
        if (atShardEnd && !record) {
          await this.write(SHARD_END, 0, state);
          this.shardEndCheckpointed = true;
          return;
        }
        const target = record
          ? { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 }
          : this.lastDelivered;
        if (!target) return;
        const key = `${target.sequenceNumber}/${target.subSequenceNumber}`;
        if (key === this.lastCheckpointed && state === undefined) return;
        await this.write(target.sequenceNumber, target.subSequenceNumber, state);
        this.lastCheckpointed = key;
      },
    };
  }

  private async write(checkpoint: Checkpoint, subSequenceNumber: number, state: string | undefined): Promise<void> {
    try {
      await this.lease.checkpoint(checkpoint, subSequenceNumber, state);
      this.report.checkpointed(checkpoint, subSequenceNumber);
    } catch (error) {
      this.report.checkpointFailed();
      throw error;
    }
  }
}
