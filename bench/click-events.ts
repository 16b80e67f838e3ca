const pages = ['/', '/products', '/products/1842', '/cart', '/checkout', '/search?q=running+shoes', '/account/orders'];
const agents = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1',
];

/** A realistic click event of about 200 bytes as JSON; partition key = user id over 10,000 users. */
export function clickEvent(n: number): { value: object; partitionKey: string } {
  const user = `u-${(n * 7919) % 10_000}`;
  return {
    value: {
      id: n,
      user,
      session: `s-${(n * 31) % 100_000}`,
      page: pages[n % pages.length],
      ref: n % 4 === 0 ? 'https://www.example.com/' : null,
      ua: agents[n % agents.length],
      ts: 1_764_000_000_000 + n,
    },
    partitionKey: user,
  };
}

/**
 * Puts click events 0..events-1 through a producer and waits for every result, yielding to the
 * event loop every 2,000 puts as a server handling requests would. Each result is awaited as a
 * request handler would await it, and then let go: holding every promise to the end would keep
 * a million settled promises alive for the garbage collector to trace, which no server does.
 */
export function putClickEvents(producer: { put(value: unknown, options: { partitionKey: string }): Promise<unknown> }, events: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = 0;
    const done = () => {
      if (++settled === events) resolve();
    };
    const run = async () => {
      for (let n = 0; n < events; n++) {
        const { value, partitionKey } = clickEvent(n);
        producer.put(value, { partitionKey }).then(done, reject);
        if (n % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    if (events === 0) resolve();
    else run().catch(reject);
  });
}
