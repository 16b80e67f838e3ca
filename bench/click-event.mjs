// Plain JavaScript, so that the benchmark processes that run without a TypeScript loader share it.
const pages = ['/', '/products', '/products/1842', '/cart', '/checkout', '/search?q=running+shoes', '/account/orders'];
const agents = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1',
];

/** A realistic click event of about 200 bytes as JSON; partition key = user id over 10,000 users. */
export function clickEvent(n) {
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
