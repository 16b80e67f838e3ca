/**
 * A load generator run as its own process, for one server or several measured side by side: POSTs click
 * events from `connections` keep-alive connections to one URL at a time, in slices of
 * `sliceSeconds`, turning through the URLs `rounds` times (each round starting one further
 * along), after a warm-up slice of each, with a pause of 300 ms after each slice. The noise of a shared machine changes over seconds,
 * so it falls on every server alike. Prints, as JSON, each URL's requests/s over its slices, the
 * requests that failed and the answers that were not 2xx.
 *
 *   npx tsx bench/http-load.ts <url,url,...> <connections> <sliceSeconds> <rounds>
 */
import { Agent, request } from 'node:http';
import { clickEvent } from './click-events.ts';

const [urlsArg, connectionsArg, sliceArg, roundsArg] = process.argv.slice(2);
const urls = urlsArg.split(',');
const connections = Number(connectionsArg);
const sliceSeconds = Number(sliceArg);
const rounds = Number(roundsArg);
const agents = urls.map(() => new Agent({ keepAlive: true, maxSockets: connections }));
let errors = 0;
let non2xx = 0;
let n = 0;

function one(url: string, agent: Agent): Promise<void> {
  return new Promise((resolve) => {
    const { value } = clickEvent(n++);
    const body = JSON.stringify({ ...value, userId: (value as { user: string }).user });
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) non2xx++;
      res.on('end', resolve);
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

/** Loads one URL for a slice; resolves with the requests completed and the seconds it took, until the last one was answered. */
async function slice(i: number): Promise<{ completed: number; seconds: number }> {
  let completed = 0;
  const started = performance.now();
  const deadline = started + sliceSeconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        await one(urls[i], agents[i]);
        completed++;
      }
    }),
  );
  return { completed, seconds: (performance.now() - started) / 1000 };
}

/** Lets a server that was just loaded send what it buffered before the next slice starts, so that its tail does not fall on the next server. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

for (let i = 0; i < urls.length; i++) {
  await slice(i);
  await settle();
}
const completed = urls.map(() => 0);
const seconds = urls.map(() => 0);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < urls.length; k++) {
    const i = (k + round) % urls.length;
    const s = await slice(i);
    completed[i] += s.completed;
    seconds[i] += s.seconds;
    await settle();
  }
}
for (const agent of agents) agent.destroy();
process.stdout.write(JSON.stringify({ rps: urls.map((_, i) => Math.round(completed[i] / seconds[i])), errors, non2xx }) + '\n');
