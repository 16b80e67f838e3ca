import { runJsonChild } from './child.ts';
import { PINNED_THREAD_ARGS, PINNED_THREAD_ENV } from './thread-cpu.ts';

/** µs of CPU per event by thread (see `thread-cpu.ts`). */
export interface ThreadCpu {
  main: number;
  runtime: number;
  started: number;
}

interface ChildResult {
  mode: string;
  eventsPerSec: number;
  cpuUsPerEvent: ThreadCpu;
}

export const callerModes = ['floor', 'put', 'send', 'putMany'] as const;

/**
 * One run of each way of offering events, each in a fresh process on the compiled package against
 * the null endpoint at full load (`producer-cpu-child.ts`), in an order that turns with `run`
 * so that the load of other processes falls on each alike. Per mode: events/s and µs of CPU per
 * event on the calling thread (`main`), on the threads the runtime had at start (mostly V8's
 * garbage collection) and on those started since (the encode worker).
 */
export async function runCallerCpu(seconds: number, run: number): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (let i = 0; i < callerModes.length; i++) {
    const mode = callerModes[(i + run) % callerModes.length];
    const { eventsPerSec, cpuUsPerEvent } = await runChild(mode, seconds);
    figures[`${mode}.eventsPerSec`] = eventsPerSec;
    figures[`${mode}.mainUs`] = cpuUsPerEvent.main;
    figures[`${mode}.allUs`] = Number((cpuUsPerEvent.main + cpuUsPerEvent.runtime + cpuUsPerEvent.started).toFixed(2));
    figures[`${mode}.gcUs`] = cpuUsPerEvent.runtime;
    figures[`${mode}.workerUs`] = cpuUsPerEvent.started;
  }
  return figures;
}

export const coldModes = ['floor', 'put', 'send'] as const;

/** Events per second on the cold path: a web server's rate, a few events per millisecond. */
export const COLD_RATE = 5000;

/**
 * The same on the cold path: {@link COLD_RATE} events/s, a few every millisecond, each offered
 * in a turn of the event loop that also runs a timer, as events arriving between HTTP requests
 * are. The floor here includes those turns; `addedUs` is what the producer adds to it per event,
 * the difference of the calling thread's CPU against the floor of the same run.
 */
export async function runCallerCpuCold(seconds: number, run: number): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (let i = 0; i < coldModes.length; i++) {
    const mode = coldModes[(i + run) % coldModes.length];
    const { cpuUsPerEvent } = await runChild(mode, seconds, COLD_RATE);
    figures[`${mode}.mainUs`] = cpuUsPerEvent.main;
    figures[`${mode}.allUs`] = Number((cpuUsPerEvent.main + cpuUsPerEvent.runtime + cpuUsPerEvent.started).toFixed(2));
  }
  for (const mode of ['put', 'send']) figures[`${mode}.addedUs`] = Number((figures[`${mode}.mainUs`] - figures['floor.mainUs']).toFixed(2));
  return figures;
}

function runChild(mode: string, seconds: number, rate = 0): Promise<ChildResult> {
  return runJsonChild<ChildResult>('./producer-cpu-child.ts', [mode, seconds, 2, 'dist', rate], { nodeArgs: PINNED_THREAD_ARGS, env: PINNED_THREAD_ENV });
}
