/**
 * CPU time of this process by thread, from /proc/self/task/<tid>/stat (utime + stime, in clock
 * ticks of 10 ms): read at the start and the end of a measured window, and the difference
 * grouped by what each thread is.
 *
 * Node 20 names none of its threads (every /proc/self/task/<tid>/comm says "node"), so they are
 * told apart by the order Node creates them in, which a child started with
 * {@link PINNED_THREAD_ARGS} and {@link PINNED_THREAD_ENV} fixes: the main thread (its tid is
 * the pid), the V8 platform's delayed-task scheduler, the V8 platform workers (`--v8-pool-size`:
 * concurrent marking and sweeping, parallel scavenges, background compilation), the inspector's
 * signal thread, the libuv thread pool (`UV_THREADPOOL_SIZE`: fs, dns, async zlib and crypto),
 * then anything started later (tsx's module loader, worker threads). Checked on Node 20.20: the
 * four V8 workers wait on one condition variable and the four libuv ones on libuv's static one
 * (/proc/self/task/<tid>/syscall).
 */
import { readdirSync, readFileSync } from 'node:fs';

const V8_POOL = 4;
const UV_POOL = 4;
/** Node flags and environment that fix the thread layout {@link readThreadCpu} assumes (Node 20's defaults). */
export const PINNED_THREAD_ARGS = [`--v8-pool-size=${V8_POOL}`];
export const PINNED_THREAD_ENV = { UV_THREADPOOL_SIZE: String(UV_POOL) };

/** What a thread is, by its place in the creation order. */
export type ThreadGroup = 'main' | 'v8Workers' | 'libuv' | 'later' | 'nodeInternal';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** Per thread id: its CPU time so far in µs. */
export type ThreadCpu = Map<number, number>;

export function readThreadCpu(): ThreadCpu {
  const cpu: ThreadCpu = new Map();
  for (const name of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${name}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // The name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu.set(Number(name), (Number(fields[11]) + Number(fields[12])) * TICK_US);
  }
  return cpu;
}

function groupOf(ordinal: number, tid: number): ThreadGroup {
  if (tid === process.pid) return 'main';
  if (ordinal >= 2 && ordinal < 2 + V8_POOL) return 'v8Workers';
  const uvStart = 2 + V8_POOL + 1;
  if (ordinal >= uvStart && ordinal < uvStart + UV_POOL) return 'libuv';
  if (ordinal >= uvStart + UV_POOL) return 'later';
  return 'nodeInternal';
}

/**
 * The CPU each group of threads spent between two readings, in µs; `total` is every thread's,
 * including threads that ended in between (from `process.cpuUsage`, given as `processUs`).
 */
export function threadCpuSince(start: ThreadCpu, end: ThreadCpu, processUs: number): Record<ThreadGroup | 'ended' | 'total', number> {
  const spent: Record<ThreadGroup | 'ended' | 'total', number> = { main: 0, v8Workers: 0, libuv: 0, later: 0, nodeInternal: 0, ended: 0, total: processUs };
  const tids = [...end.keys()].sort((a, b) => a - b);
  let counted = 0;
  tids.forEach((tid, ordinal) => {
    const us = end.get(tid)! - (start.get(tid) ?? 0);
    spent[groupOf(ordinal, tid)] += us;
    counted += us;
  });
  // A tick-rounded figure beside a µs one: what is left (threads that ended) is never below 0.
  spent.ended = Math.max(0, processUs - counted);
  return spent;
}
