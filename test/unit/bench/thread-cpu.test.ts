import { describe, expect, it } from 'vitest';
import { readThreadCpu, threadCpuSince, type ThreadCpu } from '../../../bench/thread-cpu.ts';

/** A reading with the threads in creation order: the main thread (the pid) first, then tids after it. */
function reading(cpuUs: number[]): ThreadCpu {
  return new Map(cpuUs.map((us, ordinal) => [process.pid + ordinal * 3, us]));
}

describe('thread CPU', () => {
  it('reads every thread of this process, the main one included, in µs that never go back', () => {
    const first = readThreadCpu();
    let spin = 0;
    for (let i = 0; i < 1e6; i++) spin += i;
    const second = readThreadCpu();
    expect(spin).toBeGreaterThan(0);
    expect(first.has(process.pid)).toBe(true);
    for (const [tid, us] of first) if (second.has(tid)) expect(second.get(tid)!).toBeGreaterThanOrEqual(us);
    expect(second.get(process.pid)! % 10_000).toBe(0); // whole clock ticks
  });

  it('groups threads by their place in the creation order', () => {
    // main, scheduler, 4 V8 workers, inspector, 4 libuv, the module loader
    const start = reading([100, 0, 10, 10, 10, 10, 0, 0, 0, 0, 0, 5]);
    const end = reading([600, 0, 30, 40, 50, 60, 0, 20, 0, 0, 0, 15]);
    expect(threadCpuSince(start, end, 800)).toEqual({ main: 500, nodeInternal: 0, v8Workers: 140, libuv: 20, later: 10, ended: 130, total: 800 });
  });

  it('counts a thread started during the window whole, and never leaves less than nothing to ended threads', () => {
    const start = reading([100]);
    const end = reading([200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40]);
    expect(threadCpuSince(start, end, 120)).toMatchObject({ main: 100, later: 40, ended: 0, total: 120 });
  });
});
