import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a worker thread loads its script from, and the flags it needs. @internal */
export interface WorkerScript {
  filename: string;
  execArgv: string[];
}

const source = new URL('../../workers/encode.worker.ts', import.meta.url);
const compiled = new URL('../../workers/encode.worker.js', import.meta.url);
let bundled: Promise<WorkerScript> | undefined;

/**
 * The encode worker as plain JavaScript. A worker thread that loads TypeScript through tsx
 * carries its own loader and hooks thread, ~33 MB per thread; so the worker and the codec it
 * imports are bundled once per process with esbuild (which tsx already brings) into the OS temp
 * directory, under a name derived from the bundle's content. A compiled `.js` beside the source
 * wins; if esbuild is missing, the source runs through tsx as before.
 * @internal
 */
export function encodeWorkerScript(): Promise<WorkerScript> {
  if (existsSync(fileURLToPath(compiled))) return Promise.resolve({ filename: compiled.href, execArgv: [] });
  bundled ??= bundle().catch(() => ({ filename: source.href, execArgv: ['--import', 'tsx'] }));
  return bundled;
}

async function bundle(): Promise<WorkerScript> {
  const { build } = await import('esbuild');
  const result = await build({ entryPoints: [fileURLToPath(source)], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
  const code = result.outputFiles[0].contents;
  const dir = join(tmpdir(), 'kinesis-actors');
  const file = join(dir, `encode.worker.${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written under a private name, then renamed: a concurrent process never loads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return { filename: file, execArgv: [] };
}
