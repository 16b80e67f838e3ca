/**
 * The throughput each shard carries, KB/s, as the simulator assigns it: every shard `baseKBps`,
 * a chosen set of hot ones `factor` times that; a child of a split gets half its parent's.
 */
export class ShardLoad {
  private readonly kbps = new Map<string, number>();

  constructor(readonly baseKBps = 100) {}

  set(shardId: string, kbps: number): void {
    this.kbps.set(shardId, kbps);
  }

  of(shardId: string): number {
    return this.kbps.get(shardId) ?? this.baseKBps;
  }

  /** Makes `fraction` of the shards `factor` times as busy, chosen with `random`. */
  heat(shardIds: readonly string[], fraction: number, factor: number, random: () => number): void {
    const pool = [...shardIds];
    for (let i = 0; i < Math.round(shardIds.length * fraction); i++) {
      const [shardId] = pool.splice(Math.floor(random() * pool.length), 1);
      this.set(shardId, this.baseKBps * factor);
    }
  }

  split(parent: string, children: readonly string[]): void {
    for (const child of children) this.set(child, this.of(parent) / children.length);
  }
}
