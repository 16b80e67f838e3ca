/**
 * Click capture in one command: an embedded Kinesis, a stream, and the fastify backend in
 * front of the producer. On SIGTERM (or after --self-test) the server closes, the producer
 * drains every accepted click, and the stream is read back to check that all of them are in it.
 *
 *   npx tsx examples/click-capture/main.ts                    # serve on :3000 until SIGTERM/Ctrl-C
 *   npx tsx examples/click-capture/main.ts --port 8080
 *   npx tsx examples/click-capture/main.ts --self-test 500    # send 500 clicks to itself, check, exit
 *
 *   curl -i -X POST localhost:3000/click -H 'content-type: application/json' -d '{"page":"/home","userId":"u1"}'
 *   curl -i 'localhost:3000/pixel.gif?page=/home&uid=u1'
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createStream, readStream, startLocalStack } from '../../src/testing/index.ts';
import { buildClickServer } from './server.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' }, 'self-test': { type: 'string' } } });
const port = Number(values.port);
const selfTest = values['self-test'] === undefined ? undefined : Number(values['self-test']);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535 (got ${values.port})`);
if (selfTest !== undefined && !(Number.isInteger(selfTest) && selfTest > 0)) throw new Error(`--self-test must be a positive integer (got ${values['self-test']})`);

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const streamName = 'clicks';
const stack = await startLocalStack({ dynamodb: false });
await createStream(stack.kinesis, streamName, 2);
// 'reject': a full producer answers 503 + Retry-After at once instead of holding requests open.
// 'deflate': only this framework reads the stream, and ~6x smaller clicks mean ~6x more through
// each shard; leave it out when the KCL, Lambda or Firehose read the stream too.
const app = await buildClickServer({ producer: { streamName, kinesis: stack.kinesis, logger, backpressure: 'reject', compression: 'deflate' }, logger });
const address = await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on ${address}`);

let closing: Promise<void> | undefined;
/** Closes the server (which drains the producer), reads the stream back and prints the counts. */
function shutdown(reason: string): Promise<void> {
  closing ??= (async () => {
    console.log(`closing (${reason}): draining every accepted click`);
    await app.close();
    const { accepted, rejected, delivered, failed } = app.clickStats;
    const inStream = (await readStream(stack.kinesis, streamName)).records.length;
    await stack.close();
    const ok = accepted === inStream && failed === 0;
    console.log(`${ok ? 'OK' : 'MISMATCH'}: ${accepted} clicks accepted, ${inStream} in the stream (${delivered} delivered, ${failed} failed, ${rejected} turned away)`);
    process.exitCode = ok ? 0 : 1;
  })();
  return closing;
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

/** Sends `count` clicks, every tenth through the pixel, retrying a 503 after its Retry-After. */
async function sendClicks(count: number): Promise<void> {
  let next = 0;
  const send = async (i: number) => {
    for (;;) {
      const response =
        i % 10 === 9
          ? await fetch(`${address}/pixel.gif?page=/p${i % 7}&uid=user-${i % 50}`)
          : await fetch(`${address}/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ page: `/p${i % 7}`, userId: `user-${i % 50}` }) });
      await response.arrayBuffer();
      if (response.status !== 503) {
        if (!response.ok) throw new Error(`click ${i}: HTTP ${response.status}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
    }
  };
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

if (selfTest !== undefined) {
  await sendClicks(selfTest);
  await shutdown('self-test done');
}
