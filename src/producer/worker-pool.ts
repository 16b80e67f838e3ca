import { Piscina } from 'piscina';
import type { EncodeResult, EncodeTask } from './batch.ts';
import { encodeWorkerScript, type WorkerScript } from './worker-bundle.ts';

/** The encoding stage seen by the flush stage: one task per batch. @internal */
export interface EncodePool {
  encode(task: EncodeTask): Promise<EncodeResult>;
  /** Worker threads, for tests that kill one mid-task. */
  readonly threads: readonly { terminate(): Promise<number> }[];
  close(): Promise<void>;
}

/**
 * A piscina pool of encode workers. Piscina replaces a thread that dies, and the task it was
 * running rejects (the flush stage sends that batch again). But piscina stops replacing threads
 * once one dies before it is ready, and its queued tasks then wait forever: so when the pool
 * is left short of threads, a new pool takes over and the old one is destroyed, which rejects
 * what was queued on it. @internal
 */
export function createEncodePool(threads: number): EncodePool {
  let pool: Piscina<EncodeTask, EncodeResult> | undefined;
  let closing: Promise<void> | undefined;
  const start = ({ filename, execArgv }: WorkerScript): Piscina<EncodeTask, EncodeResult> => {
    const created = new Piscina<EncodeTask, EncodeResult>({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // No queue cap: one batch per shard is in flight, so the queue never outgrows the shard count.
    });
    created.on('workerDestroy', () =>
      queueMicrotask(() => {
        if (closing || pool !== created || created.threads.length >= threads) return;
        pool = start({ filename, execArgv });
        void created.destroy();
      }),
    );
    return created;
  };
  const ready = encodeWorkerScript().then((script) => (pool = start(script)));
  return {
    encode: (task) => {
      // The packed data moves to the worker; the batch keeps its records for retries.
      const run = () => pool!.run(task, { transferList: [task.data.buffer as ArrayBuffer] });
      return pool ? run() : ready.then(run);
    },
    get threads() {
      return pool?.threads ?? [];
    },
    close() {
      closing ??= ready.then(() => pool!.close());
      return closing;
    },
  };
}
