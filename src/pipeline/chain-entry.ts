import type { FlushReason } from './stage.ts';

/** What kind of pass through the stages an entry is. @internal */
export type EntryKind = 'records' | 'tick' | 'flush';

/**
 * One batch on its way through a chain, from `push` to completion: every stage has processed
 * it, its final output is delivered, and every hold on it is released. @internal
 */
export interface ChainEntry<Meta> {
  readonly seq: number;
  readonly kind: EntryKind;
  /** What the chain's owner attached: a checkpoint position, a caller's put. */
  readonly meta: Meta;
  /** Why a 'flush' entry drains. */
  readonly flushReason?: FlushReason;
  /** Snapshots of the stages taken right after each processed this entry, by stage name. */
  readonly states: Record<string, unknown>;
  openHolds: number;
  throughStages: boolean;
  delivered: boolean;
  /** What delivery of the final output produced (a producer-side pipeline's put results). */
  result: unknown;
}
