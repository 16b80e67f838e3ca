import { createProducer } from '../src/index.ts';
import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { buildClickServer } from '../examples/click-capture/server.ts';
import type { ProducerLike } from '../examples/click-capture/producer-plugin.ts';
import { runJsonChild } from './child.ts';

/**
 * Requests/s of the click-capture example (fastify, `examples/click-capture`) with the producer
 * behind it, and with a no-op in its place; the load comes from a separate process on loopback.
 */
export async function runClickServer(stack: LocalStack, seconds: number, connections = 32): Promise<{ withProducer: number; without: number }> {
  const streamName = randomName('bench-click');
  await createStream(stack.kinesis, streamName, 4);
  const noop: ProducerLike = {
    put: () => Promise.resolve({ shardId: 'none', sequenceNumber: '0', subSequenceNumber: 0, attempts: 1 }),
    close: () => Promise.resolve(),
  };
  const measure = async (producer: ProducerLike) => {
    const app = await buildClickServer({ producer });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      return (await runJsonChild<{ rps: number }>('./http-load.ts', [`${url}/click`, connections, seconds])).rps;
    } finally {
      await app.close();
    }
  };
  const without = await measure(noop);
  const withProducer = await measure(createProducer({ streamName, kinesis: stack.kinesis }));
  return { withProducer, without };
}
