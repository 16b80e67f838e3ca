import { Piscina } from 'piscina';
import type { EncodeResult, EncodeTask } from './batch.ts';
import { moduleScript } from '../internal/module-script.ts';

/** The most data one worker task carries when batches share it. */
const MAX_SHARED_TASK_BYTES = 512 * 1024;

interface Queued {
  task: EncodeTask;
  resolve(result: EncodeResult): void;
  reject(error: unknown): void;
}

/** The encoder as the batch sender sees it: one call per batch. @internal */
export interface EncodePool {
  encode(task: EncodeTask): Promise<EncodeResult>;
  /** Worker threads, for tests that kill one mid-task. */
  readonly threads: readonly { terminate(): Promise<number> }[];
  close(): Promise<void>;
}

/**
 * A piscina pool of encode workers. Piscina replaces a thread that dies, and the task it was
 * running rejects (the shard's buffer actor sends that batch again). But piscina stops replacing
 * threads once one dies before it is ready, and its queued tasks then wait forever: so when the pool
 * is left short of threads, a new pool takes over and the old one is destroyed, which rejects
 * what was queued on it. @internal
 */
export function createEncodePool(threads: number): EncodePool {
  const script = moduleScript('../../workers/encode.worker', import.meta.url);
  let closing: Promise<void> | undefined;
  const start = (): Piscina<EncodeTask[], EncodeResult[]> => {
    const created = new Piscina<EncodeTask[], EncodeResult[]>({
      filename: script.url.href,
      execArgv: script.execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // No queue cap: one batch per shard is in flight, so the queue never outgrows the shard count.
    });
    created.on('workerDestroy', () =>
      queueMicrotask(() => {
        if (closing || pool !== created || created.threads.length >= threads) return;
        pool = start();
        void created.destroy();
      }),
    );
    return created;
  };
  let pool = start();

  // Batches cut in the same turn of the event loop (shards falling due together) share a worker
  // task: a task costs the posting thread ~0.5-1 ms of CPU, whatever it carries.
  let queued: Queued[] = [];
  const run = (group: Queued[]) => {
    const tasks = group.map((q) => q.task);
    // The packed data moves to the worker; the batches keep their records for retries.
    pool.run(tasks, { transferList: tasks.map((t) => t.data.buffer as ArrayBuffer) }).then(
      (results) => group.forEach((q, i) => q.resolve(results[i])),
      (error: unknown) => group.forEach((q) => q.reject(error)),
    );
  };
  const dispatch = () => {
    const all = queued;
    queued = [];
    let group: Queued[] = [];
    let bytes = 0;
    for (const q of all) {
      if (group.length > 0 && bytes + q.task.data.length > MAX_SHARED_TASK_BYTES) {
        run(group);
        group = [];
        bytes = 0;
      }
      group.push(q);
      bytes += q.task.data.length;
    }
    if (group.length > 0) run(group);
  };
  return {
    encode: (task) =>
      new Promise<EncodeResult>((resolve, reject) => {
        queued.push({ task, resolve, reject });
        if (queued.length === 1) setImmediate(dispatch);
      }),
    get threads() {
      return pool.threads;
    },
    close() {
      closing ??= pool.close();
      return closing;
    },
  };
}
