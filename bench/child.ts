import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a bench script (relative to `bench/`) in its own Node process and parses the JSON it prints. */
export function runJsonChild<T>(script: string, args: (string | number)[]): Promise<T> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${script} exited with ${code}`))));
  });
}
