/** Where a chunk goes back once nothing lives in it: the pool it came from. @internal */
export interface ChunkReturn {
  give(chunk: ArenaChunk): void;
}

/**
 * One buffer of a shard buffer's arena, with the count of the unsettled records whose bytes it
 * holds. @internal
 */
export interface ArenaChunk {
  readonly bytes: Buffer;
  /** Records stored here and not yet released. */
  live: number;
  /** Whether its arena still writes into it. */
  current: boolean;
  /** Where it goes back once nothing lives in it, unless it is a record's own oversized buffer. */
  readonly pool: ChunkReturn | undefined;
}
