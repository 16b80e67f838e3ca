import { open, readFile, rename } from 'node:fs/promises';
import { CheckpointFileError } from './errors.ts';

/** The read position of one file, by identity (device and inode) so a rename keeps it. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  /** Byte offset just after the last line Kinesis acknowledged. */
  offset: number;
}

/** Reads the checkpoint file; none yet means no positions. @internal */
export async function readCheckpointFile(file: string): Promise<FilePosition[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CheckpointFileError(file, 'cannot be read', error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointFileError(file, 'is not JSON', error);
  }
  const files = (parsed as { files?: unknown })?.files;
  const valid = (p: unknown): p is FilePosition =>
    typeof p === 'object' && p !== null && typeof (p as FilePosition).path === 'string' && [(p as FilePosition).dev, (p as FilePosition).ino, (p as FilePosition).offset].every((n) => Number.isInteger(n) && n >= 0);
  if (!Array.isArray(files) || !files.every(valid)) throw new CheckpointFileError(file, 'is not a file tail checkpoint ({ "files": [{ path, dev, ino, offset }] })');
  return files;
}

/** Writes the checkpoint file atomically: a temporary file, fsync, then rename over the old one. @internal */
export async function writeCheckpointFile(file: string, positions: FilePosition[]): Promise<void> {
  const partial = `${file}.${process.pid}.tmp`;
  const handle = await open(partial, 'w');
  try {
    await handle.writeFile(JSON.stringify({ version: 1, files: positions }, null, 1));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(partial, file);
}
