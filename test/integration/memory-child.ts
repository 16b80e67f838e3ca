import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemoryChildConfig, MemoryChildReport, MemorySample } from '../fixtures/producer-memory-child.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../fixtures/producer-memory-child.ts', import.meta.url));

/** Runs the memory child (a producer in a process of its own, with `--expose-gc`) and returns its report. */
export function runMemoryChild(config: MemoryChildConfig): Promise<MemoryChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, JSON.stringify(config)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop();
      if (code !== 0 || !line) return reject(new Error(`the memory child exited with ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(line) as MemoryChildReport);
    });
  });
}

/** Samples as a short table for the test's log. */
export function formatSamples(samples: MemorySample[]): string {
  return samples.map((s) => `${s.atMs} ms, ${s.put} put: heap ${s.heapUsed} MB, arrayBuffers ${s.arrayBuffers} MB, rss ${s.rss} MB`).join('\n');
}
