import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createProducer, type Producer } from '../src/index.ts';
import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { startClickServer } from '../examples/demo/click-server.ts';

const loadScript = fileURLToPath(new URL('./http-load.ts', import.meta.url));

function runLoad(url: string, connections: number, seconds: number): Promise<{ rps: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loadScript, url, String(connections), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/**
 * Requests/s of the click-capture endpoint (the demo's) with the producer behind it, and with a
 * no-op in its place; the load comes from a separate process on loopback.
 */
export async function runClickServer(stack: LocalStack, seconds: number, connections = 32): Promise<{ withProducer: number; without: number }> {
  const streamName = randomName('bench-click');
  await createStream(stack.kinesis, streamName, 4);
  const producer = createProducer({ streamName, kinesis: stack.kinesis });
  const noop = { put: () => Promise.resolve({ shardId: 'none', sequenceNumber: '0', subSequenceNumber: 0, attempts: 1 }) } as unknown as Producer;

  const measure = async (target: Producer) => {
    const click = await startClickServer(target);
    try {
      return (await runLoad(click.url, connections, seconds)).rps;
    } finally {
      await new Promise<void>((resolve) => {
        click.server.closeAllConnections();
        click.server.close(() => resolve());
      });
    }
  };
  const without = await measure(noop);
  const withProducer = await measure(producer);
  await producer.close();
  return { withProducer, without };
}
