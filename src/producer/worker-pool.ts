import { Piscina } from 'piscina';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EncodeResult, EncodeTask } from './batch.ts';

/** The encoding stage seen by the flush stage: one task per batch. @internal */
export interface EncodePool {
  encode(task: EncodeTask): Promise<EncodeResult>;
  /** Worker threads, for tests that kill one mid-task. */
  readonly threads: readonly { terminate(): Promise<number> }[];
  close(): Promise<void>;
}

/**
 * Locates the worker script: the compiled `.js` beside a build, else the TypeScript source
 * loaded through tsx (Node 20 cannot load `.ts` in a worker without a loader).
 */
function workerLocation(): { filename: string; execArgv: string[] } {
  const js = new URL('../../workers/encode.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { filename: js.href, execArgv: [] };
  return { filename: new URL('../../workers/encode.worker.ts', import.meta.url).href, execArgv: ['--import', 'tsx'] };
}

/** A piscina pool of encode workers. Piscina replaces a thread that dies; its task rejects. @internal */
export function createEncodePool(threads: number): EncodePool {
  const { filename, execArgv } = workerLocation();
  const pool = new Piscina<EncodeTask, EncodeResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    // No queue cap: one batch per shard is in flight, so the queue never outgrows the shard count.
  });
  let closing: Promise<void> | undefined;
  return {
    encode: (task) => pool.run(task),
    get threads() {
      return pool.threads;
    },
    close() {
      closing ??= pool.close();
      return closing;
    },
  };
}
