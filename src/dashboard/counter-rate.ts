/**
 * The per-second rate of a counter that only grows, from the change since the previous sample.
 * The first sample has nothing to compare with and reads 0.
 */
export class CounterRate {
  private last: { value: number; at: number } | undefined;

  sample(value: number, at: number): number {
    const last = this.last;
    this.last = { value, at };
    if (last === undefined || at <= last.at) return 0;
    return Math.max(0, ((value - last.value) * 1000) / (at - last.at));
  }
}
