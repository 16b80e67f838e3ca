import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

interface Seen {
  warnedAt: number;
  /** Times the cause came back since its last warning. */
  repeats: number;
}

/** What makes two errors the same cause: their kind and their message. */
function signature(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return `${error.name}\u0000${typeof code === 'string' ? code : ''}\u0000${error.message}`;
}

/**
 * Warns about a failure once per distinct cause, not once per record or attempt. A cause seen
 * again within `intervalMs` of its warning is only counted; after that it is warned about again
 * with that count, so a cause that persists or comes back stays visible without flooding the
 * log. At most `maxCauses` causes are remembered (the oldest is forgotten first).
 * @internal
 */
export class CauseLog {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 60_000,
    private readonly maxCauses = 100,
  ) {}

  /** Logs `message` at warn with `err: cause` and `context`, unless this cause was just warned about; true when it logged. */
  warn(message: string, cause: Error, context: object = {}): boolean {
    const key = `${message}\u0000${signature(cause)}`;
    const now = this.clock.now();
    const seen = this.seen.get(key);
    if (seen && now - seen.warnedAt < this.intervalMs) {
      seen.repeats++;
      return false;
    }
    this.seen.delete(key);
    if (this.seen.size >= this.maxCauses) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { warnedAt: now, repeats: 0 });
    this.logger.warn(seen ? { ...context, err: cause, repeatsSinceLastWarning: seen.repeats } : { ...context, err: cause }, message);
    return true;
  }
}
