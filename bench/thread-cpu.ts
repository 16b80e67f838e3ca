import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system, µs) of each thread of this process, by thread id, with its name. */
export interface ThreadTimes {
  [tid: string]: { name: string; us: number };
}

const tick = 1e6 / 100; // µs per clock tick (USER_HZ is 100 on Linux)

/** Reads `/proc/self/task/<tid>/stat` of every thread: the calling thread's and its siblings'. */
export function threadTimes(): ThreadTimes {
  const times: ThreadTimes = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times[tid] = { name, us: (Number(fields[11]) + Number(fields[12])) * tick };
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/**
 * µs of CPU per unit of work by thread between two readings: `main` (the thread that calls
 * put()), `runtime` (threads that existed at `baseline`: V8's platform threads, which do most of
 * the garbage collection, and whatever else the runtime started first), `started` (threads
 * started since: the producer's worker threads, and the libuv pool once zlib or fs use it).
 * Node names every thread `node`, so the kinds are told apart by when they appeared.
 */
export function cpuByThread(baseline: ThreadTimes, before: ThreadTimes, after: ThreadTimes, units: number): Record<string, number> {
  const kinds: Record<string, number> = { main: 0, runtime: 0, started: 0 };
  const mainTid = String(process.pid);
  for (const [tid, { us }] of Object.entries(after)) {
    const spent = us - (before[tid]?.us ?? 0);
    kinds[tid === mainTid ? 'main' : tid in baseline ? 'runtime' : 'started'] += spent;
  }
  for (const kind of Object.keys(kinds)) kinds[kind] = Number((kinds[kind] / units).toFixed(3));
  return kinds;
}
