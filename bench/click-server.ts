import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { runJsonChild, startServerChild } from './child.ts';

/**
 * Requests/s of the click-capture example (fastify, `examples/click-capture`) with the producer
 * behind it, and with a no-op in its place. The server runs in a process of its own, as it is
 * deployed, apart from the embedded Kinesis; the load comes from a third process on loopback.
 */
export async function runClickServer(stack: LocalStack, seconds: number, connections = 32): Promise<{ withProducer: number; without: number }> {
  const streamName = randomName('bench-click');
  await createStream(stack.kinesis, streamName, 4);
  const measure = async (mode: 'producer' | 'noop') => {
    const server = await startServerChild<{ url: string }>('./click-server-child.ts', [mode, stack.kinesisEndpoint, streamName]);
    try {
      return (await runJsonChild<{ rps: number }>('./http-load.ts', [`${server.ready.url}/click`, connections, seconds])).rps;
    } finally {
      await server.stop();
    }
  };
  const without = await measure('noop');
  const withProducer = await measure('producer');
  return { withProducer, without };
}
