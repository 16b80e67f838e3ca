import type { Hold } from '../../pipeline/stage.ts';

/**
 * A batch's hold shared by the buffers its records went to (one per partition): released when
 * the last of them is written, failed as soon as one cannot be. @internal
 */
export class SharedHold {
  private parts = 0;
  private sealed = false;
  private settled = false;

  constructor(private readonly hold: Hold) {}

  /** One more buffer holds records of this batch. */
  take(): void {
    this.parts++;
  }

  /** Every buffer the batch's records went to has been taken; releases at once if none. */
  seal(): void {
    this.sealed = true;
    this.settleIfDone();
  }

  release(): void {
    this.parts--;
    this.settleIfDone();
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.hold.fail(error);
  }

  private settleIfDone(): void {
    if (this.settled || !this.sealed || this.parts > 0) return;
    this.settled = true;
    this.hold.release();
  }
}
