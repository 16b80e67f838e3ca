import type { SinkDestination } from '../../../../src/stages/sink/destination.ts';

/** Lets promise chains settle (no time passes on any clock). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** One call of `write` that the test settles by hand. */
export interface PendingWrite {
  key: string;
  body: Uint8Array;
  resolve(): void;
  reject(error: unknown): void;
}

/** A destination whose writes stay pending until the test resolves or rejects them. */
export function controlledDestination(): SinkDestination & { writes: PendingWrite[]; next(): Promise<PendingWrite> } {
  const writes: PendingWrite[] = [];
  const waiters: ((write: PendingWrite) => void)[] = [];
  let taken = 0;
  return {
    writes,
    write: (key, body) =>
      new Promise<void>((resolve, reject) => {
        const write = { key, body, resolve, reject };
        writes.push(write);
        waiters.shift()?.(write);
      }),
    /** The next write not yet returned by `next`, once it has been called. */
    next() {
      const index = taken++;
      if (index < writes.length) return Promise.resolve(writes[index]);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** A destination that keeps objects in memory, failing writes whose key `fails` picks. */
export function memoryDestination(fails: (key: string) => unknown = () => undefined): SinkDestination & { objects: Map<string, Uint8Array>; attempts: string[] } {
  const objects = new Map<string, Uint8Array>();
  const attempts: string[] = [];
  return {
    objects,
    attempts,
    async write(key, body) {
      attempts.push(key);
      const error = fails(key);
      if (error !== undefined) throw error;
      objects.set(key, body);
    },
  };
}

/** The lines of an uncompressed object. */
export function linesOf(body: Uint8Array | undefined): string[] {
  if (!body) throw new Error('no such object');
  return Buffer.from(body).toString('utf8').split('\n').slice(0, -1);
}
