import type { Clock } from './clock.ts';

/**
 * Runs an async body every `intervalMillis` on the injected clock, never two at once. The next
 * run is due one interval after the previous one started, so a slow round (a slow DynamoDB)
 * does not stretch the period, which is what keeps renewals inside the failover time.
 * The body must not reject; it reports its own failures. @internal
 */
export class PeriodicTask {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private active = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMillis: number,
    private readonly body: () => Promise<void>,
  ) {}

  /** Schedules the first run after `firstDelayMillis`. */
  start(firstDelayMillis = this.intervalMillis): void {
    if (this.active) return;
    this.active = true;
    this.schedule(firstDelayMillis);
  }

  /** Cancels the next run and waits for one in progress; idempotent. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const startedAt = this.clock.now();
      this.running = this.body().finally(() => {
        this.running = undefined;
        if (this.active) this.schedule(Math.max(0, this.intervalMillis - (this.clock.now() - startedAt)));
      });
    }, delay);
  }
}
