import { Piscina } from 'piscina';
import type { EncodeResult, EncodeTask } from './batch.ts';
import { encodeWorkerScript } from './worker-bundle.ts';

/** The encoding stage seen by the flush stage: one task per batch. @internal */
export interface EncodePool {
  encode(task: EncodeTask): Promise<EncodeResult>;
  /** Worker threads, for tests that kill one mid-task. */
  readonly threads: readonly { terminate(): Promise<number> }[];
  close(): Promise<void>;
}

/** A piscina pool of encode workers. Piscina replaces a thread that dies; its task rejects. @internal */
export function createEncodePool(threads: number): EncodePool {
  let pool: Piscina<EncodeTask, EncodeResult> | undefined;
  const ready = encodeWorkerScript().then(({ filename, execArgv }) => {
    pool = new Piscina<EncodeTask, EncodeResult>({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // No queue cap: one batch per shard is in flight, so the queue never outgrows the shard count.
    });
    return pool;
  });
  let closing: Promise<void> | undefined;
  return {
    encode: (task) => (pool ? pool.run(task) : ready.then((p) => p.run(task))),
    get threads() {
      return pool?.threads ?? [];
    },
    close() {
      closing ??= ready.then((p) => p.close());
      return closing;
    },
  };
}
