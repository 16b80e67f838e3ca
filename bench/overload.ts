import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./overload-child.ts', import.meta.url));

/** `producer.rss.overloadMb`: RSS of a producer process offered `rate` events/s for `seconds`. */
export function runOverload(rate: number, seconds: number): Promise<{ rssMb: number; peakRssMb: number; limitMb: number; offered: number; put: number; rejected: number }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    process_.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    process_.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`overload child exited with ${code}`))));
  });
}
