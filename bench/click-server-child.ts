/**
 * The click-capture example (fastify) as its own process, as it would be deployed: with the
 * producer putting to `endpoint` (compression 'deflate', as the example runs it), or with a no-op
 * in its place. Prints `{"url": ...}` once
 * listening, and closes (the producer flushing) on SIGTERM.
 *
 *   npx tsx bench/click-server-child.ts producer|noop <endpoint> <streamName>
 */
import { buildClickServer } from '../examples/click-capture/server.ts';
import type { ProducerLike } from '../src/web/fastify/index.ts';

const [mode, endpoint, streamName] = process.argv.slice(2);
const noop: ProducerLike = {
  put: () => Promise.resolve({ shardId: 'none', sequenceNumber: '0', subSequenceNumber: 0, attempts: 1 }),
  close: () => Promise.resolve(),
};
const app = await buildClickServer({
  producer:
    mode === 'producer'
      ? { streamName, compression: 'deflate', connection: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } }
      : noop,
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ url }) + '\n');
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
