import { Agent, request } from 'node:http';

const pages = ['/', '/products', '/products/42', '/cart', '/checkout', '/search?q=shoes', '/about'];
const devices = ['mobile', 'desktop', 'tablet'];
const agents = ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0'];

/** A synthetic click: ~200 bytes of JSON, like a web backend captures. */
export function syntheticClick(n: number, users: number) {
  return {
    eventId: `e-${n}`,
    userId: `user-${(n * 7919) % users}`,
    page: pages[n % pages.length],
    referrer: n % 3 === 0 ? 'https://www.example.com/' : null,
    device: devices[n % devices.length],
    userAgent: agents[n % agents.length],
    at: new Date().toISOString(),
  };
}

/**
 * Sends clicks to the endpoint from `connections` keep-alive connections until `stop()`;
 * bounded by `maxEvents` so the in-memory emulator stays small.
 */
export function startLoad(url: string, options: { connections: number; maxEvents: number; users: number }) {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  let sent = 0;
  let errors = 0;
  let stopped = false;
  const loops: Promise<void>[] = [];
  const one = () =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify(syntheticClick(sent++, options.users));
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  for (let i = 0; i < options.connections; i++) {
    loops.push(
      (async () => {
        while (!stopped && sent < options.maxEvents) await one();
      })(),
    );
  }
  return {
    get sent() {
      return sent;
    },
    get errors() {
      return errors;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
