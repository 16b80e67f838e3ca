/**
 * Exponential backoff with equal jitter: a random delay in [c/2, c], c = min(max, base·2^(attempt−1)).
 * Half the delay is kept so retries never collapse to zero, the other half spreads them out.
 */
export function jitteredBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
