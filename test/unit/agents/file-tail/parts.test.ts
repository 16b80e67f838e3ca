import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointFile, writeCheckpointFile } from '../../../../src/agents/file-tail/checkpoint-file.ts';
import { csvToObject, splitCsvRow } from '../../../../src/agents/file-tail/csv.ts';
import { checkPattern, compilePattern, matchFiles } from '../../../../src/agents/file-tail/glob.ts';
import { resolveFileTailOptions } from '../../../../src/agents/file-tail/options.ts';

const target = { put: async () => ({}) };

describe('file tail agent parts', () => {
  it('converts CSV rows with quotes, custom delimiters and field names, and names what is wrong', () => {
    expect(csvToObject('1,"Doe, Jane",/home', { fieldNames: ['id', 'name', 'page'] })).toEqual({ id: '1', name: 'Doe, Jane', page: '/home' });
    expect(csvToObject('1;"say ""hi""";x', { fieldNames: ['id', 'quote', 'z'], delimiter: ';' })).toEqual({ id: '1', quote: 'say "hi"', z: 'x' });
    expect(splitCsvRow('a,,c')).toEqual(['a', '', 'c']);
    expect(() => csvToObject('1,2', { fieldNames: ['a', 'b', 'c'] })).toThrow(/has 2 fields, expected 3 \(a, b, c\)/);
    expect(() => csvToObject('1,"open', { fieldNames: ['a', 'b'] })).toThrow(expect.objectContaining({ code: 'INVALID_LINE' }));
    expect(() => csvToObject('"a"b,c', { fieldNames: ['a', 'b'] })).toThrow(/text after the closing quote/);
  });

  it('matches * and ? in file names only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'glob-'));
    for (const name of ['app.log', 'app.log.1', 'web.log', 'notes.txt']) await writeFile(join(dir, name), '');
    const others = new Set<string>();
    expect(await matchFiles([compilePattern(join(dir, '*.log'))], others)).toEqual([join(dir, 'app.log'), join(dir, 'web.log')]);
    expect(others).toEqual(new Set([join(dir, 'app.log.1'), join(dir, 'notes.txt')]));
    expect(await matchFiles([compilePattern(join(dir, 'app.log.?'))])).toEqual([join(dir, 'app.log.1')]);
    expect(await matchFiles([compilePattern(join(dir, 'missing', '*.log'))])).toEqual([]);
    expect(checkPattern('/var/*/app.log')).toMatch(/only in the file name/);
  });

  it('writes the checkpoint file atomically and refuses a corrupt one, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const file = join(dir, 'tail.json');
    expect(await readCheckpointFile(file)).toEqual([]);
    await writeCheckpointFile(file, [{ path: '/a.log', dev: 1, ino: 2, offset: 30 }]);
    expect(await readCheckpointFile(file)).toEqual([{ path: '/a.log', dev: 1, ino: 2, offset: 30 }]);
    await writeFile(file, '{"files": [{"path": "/a.log"}]}');
    await expect(readCheckpointFile(file)).rejects.toMatchObject({ code: 'CHECKPOINT_FILE_CORRUPT', message: expect.stringContaining(file) });
    await writeFile(file, 'not json');
    await expect(readCheckpointFile(file)).rejects.toThrow(/is not JSON; fix or delete it/);
  });

  it('refuses bad options by name', () => {
    const ok = { files: '/tmp/x.log', target, checkpointFile: '/tmp/c.json' };
    expect(() => resolveFileTailOptions({ ...ok, files: [] })).toThrow(/options.files must be/);
    expect(() => resolveFileTailOptions({ ...ok, files: ['/var/*/x.log'] })).toThrow(/options.files\[0\] may use \* and \? only in the file name/);
    expect(() => resolveFileTailOptions({ ...ok, target: {} as never })).toThrow(/options.target must have put/);
    expect(() => resolveFileTailOptions({ ...ok, checkpointFile: '' })).toThrow(/options.checkpointFile/);
    expect(() => resolveFileTailOptions({ ...ok, format: { csv: { fieldNames: [] } } })).toThrow(/options.format.csv.fieldNames/);
    expect(() => resolveFileTailOptions({ ...ok, format: { csv: { fieldNames: ['a'], delimiter: '::' } } })).toThrow(/options.format.csv.delimiter/);
    expect(() => resolveFileTailOptions({ ...ok, pollIntervalMs: 0 })).toThrow(/options.pollIntervalMs/);
    expect(() => resolveFileTailOptions({ ...ok, startPosition: 'middle' as never })).toThrow(/options.startPosition/);
  });
});
