/**
 * A load generator run as its own process: POSTs click events to a URL from `connections`
 * keep-alive connections for `seconds`, then prints the requests/s as JSON on stdout, with the
 * requests that failed and the answers that were not 2xx.
 *
 *   npx tsx bench/http-load.ts <url> <connections> <seconds>
 */
import { Agent, request } from 'node:http';
import { clickEvent } from './click-events.ts';

const [url, connectionsArg, secondsArg] = process.argv.slice(2);
const connections = Number(connectionsArg);
const seconds = Number(secondsArg);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
let completed = 0;
let errors = 0;
let non2xx = 0;
let n = 0;
const deadline = performance.now() + seconds * 1000;

function one(): Promise<void> {
  return new Promise((resolve) => {
    const { value } = clickEvent(n++);
    const body = JSON.stringify({ ...value, userId: (value as { user: string }).user });
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) non2xx++;
      res.on('end', () => {
        completed++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) await one();
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
process.stdout.write(JSON.stringify({ rps: Math.round(completed / elapsed), errors, non2xx }) + '\n');
