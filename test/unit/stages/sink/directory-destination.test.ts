import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverySink } from '../../../../src/stages/sink/delivery-sink.ts';
import { directoryDestination } from '../../../../src/stages/sink/directory-destination.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

describe('directoryDestination', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each key as a file, creating directories, and leaves no temp files', async () => {
    const destination = directoryDestination(dir);
    await destination.write('2026/01/01/00/a', Buffer.from('one\n'));
    await destination.write('2026/01/01/00/b', Buffer.from('two\n'));
    await destination.write('2026/01/01/00/a', Buffer.from('one again\n')); // replaced whole
    const files = await readdir(dir, { recursive: true, withFileTypes: true });
    const names = files.filter((f) => f.isFile()).map((f) => path.relative(dir, path.join(f.parentPath, f.name)).split(path.sep).join('/'));
    expect(names.sort()).toEqual(['2026/01/01/00/a', '2026/01/01/00/b']);
    expect(await readFile(path.join(dir, '2026/01/01/00/a'), 'utf8')).toBe('one again\n');
  });

  it('refuses keys that leave the directory', async () => {
    await expect(directoryDestination(dir).write('../escape', Buffer.from('x'))).rejects.toThrow(RangeError);
  });

  it('is the default destination of a sink given a directory', async () => {
    const h = stageHarness(deliverySink({ directory: dir, prefix: 'clicks/' }));
    await h.process([{ value: { n: 1 }, partitionKey: 'a' }]);
    await h.flush();
    expect(h.openHolds()).toBe(0);
    const [hour] = await readdir(path.join(dir, 'clicks/2026/01/01/00'));
    expect(hour).toMatch(/^sink-2026-01-01-00-00-00-/);
    expect(await readFile(path.join(dir, 'clicks/2026/01/01/00', hour), 'utf8')).toBe('{"n":1}\n');
  });
});
