import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SinkDestination } from './destination.ts';

/**
 * A destination that writes each object as a file under `dir` (keys' `/` become directories).
 * The body goes to a temp file beside the target, is fsynced, renamed into place, and the
 * directory is fsynced, so a file that exists is complete and `write` resolves only once it
 * survives a crash. Directories are created as needed.
 *
 * @example
 * const sink = deliverySink({ destination: directoryDestination('/var/data/clicks'), compression: 'gzip' });
 */
export function directoryDestination(dir: string): SinkDestination {
  const root = path.resolve(dir);
  return {
    async write(key, body) {
      const target = path.resolve(root, key);
      if (!target.startsWith(root + path.sep)) throw new RangeError(`sink key ${JSON.stringify(key)} is outside ${root}`);
      const parent = path.dirname(target);
      await makeDurableDirectory(parent);
      const temp = path.join(parent, `.${path.basename(target)}.${randomUUID()}.tmp`);
      try {
        const file = await open(temp, 'wx');
        try {
          await file.writeFile(body);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      await syncDirectory(parent);
    },
  };
}

/** Creates `dir` and its missing parents, fsyncing the parent of each new one so they survive a crash. */
async function makeDurableDirectory(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  const created: string[] = [];
  for (let d = dir; d.length >= first.length; d = path.dirname(d)) created.unshift(d);
  for (const d of created) await syncDirectory(path.dirname(d));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
