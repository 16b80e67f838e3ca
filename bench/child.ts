import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Node flags and environment variables a child gets beside the parent's environment. */
export interface ChildOptions {
  nodeArgs?: string[];
  env?: Record<string, string>;
}

function spawnScript(script: string, args: (string | number)[], options: ChildOptions = {}) {
  const file = fileURLToPath(new URL(script, import.meta.url));
  // A .mjs child runs the compiled package without a TypeScript loader, as an adopter's process does.
  const loader = file.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, file, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
}

/** Runs a bench script (relative to `bench/`) in its own Node process and parses the JSON it prints. */
export function runJsonChild<T>(script: string, args: (string | number)[], options?: ChildOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnScript(script, args, options);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${script} exited with ${code}`))));
  });
}

/**
 * Starts a bench script that serves until SIGTERM, and resolves with the JSON line it prints once
 * ready, and a function that stops it and waits for its exit.
 */
export function startServerChild<T>(script: string, args: (string | number)[], options?: ChildOptions): Promise<{ ready: T; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawnScript(script, args, options);
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.indexOf('\n');
      if (line < 0) return;
      child.stdout.off('data', onData);
      const stop = async () => {
        child.kill('SIGTERM');
        const code = await exited;
        if (code !== 0) throw new Error(`${script} exited with ${code}`);
      };
      resolve({ ready: JSON.parse(out.slice(0, line)) as T, stop });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}
