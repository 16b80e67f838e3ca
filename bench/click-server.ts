import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { runJsonChild, startServerChild } from './child.ts';
import type { ClickServerMode } from './click-server-child.ts';

/** Requests/s of each mode, and each peer's and the producer's ratio to the no-op in the same run. */
export interface ClickServerRun {
  [figure: string]: number;
  without: number;
  withProducer: number;
  putRecordPeer: number;
  kinesisAggPeer: number;
  ratioWithProducer: number;
  ratioPutRecordPeer: number;
  ratioKinesisAggPeer: number;
}

const modes: ClickServerMode[] = ['noop', 'producer', 'putRecord', 'kinesisAgg'];

/**
 * Requests/s of the click-capture server (fastify, `examples/click-capture`) four ways: with a
 * no-op in the producer's place, with this framework's producer, and with the two peers of
 * `bench/click-server-child.ts`. Each server runs in a process of its own, as it is deployed,
 * apart from the embedded Kinesis, each on a fresh stream; the load comes from another process
 * on loopback, one server at a time in one-second slices that turn through the four (the order
 * moving on each round and with `run`), so that the noise of a shared machine falls on all
 * alike. Each server gets `seconds` of load in all, after a warm-up slice.
 */
export async function runClickServer(stack: LocalStack, seconds: number, run = 0, connections = 32): Promise<ClickServerRun> {
  const order = modes.map((_, i) => modes[(i + run) % modes.length]);
  const servers = await Promise.all(
    order.map(async (mode) => {
      const streamName = randomName(`bench-click-${mode}`);
      await createStream(stack.kinesis, streamName, 4);
      return startServerChild<{ url: string }>('./click-server-child.ts', [mode, stack.kinesisEndpoint, streamName]);
    }),
  );
  try {
    const urls = servers.map((s) => `${s.ready.url}/click`).join(',');
    const load = await runJsonChild<{ rps: number[]; errors: number; non2xx: number }>('./http-load.ts', [urls, connections, 1, seconds]);
    // A mode that fails requests would be measured fast; it is a broken run instead.
    if (load.errors > 0 || load.non2xx > 0) throw new Error(`click server: ${load.errors} requests failed, ${load.non2xx} answers not 2xx`);
    const rps = Object.fromEntries(order.map((mode, i) => [mode, load.rps[i]])) as Record<ClickServerMode, number>;
    const ratio = (x: number) => Number((x / rps.noop).toFixed(3));
    return {
      without: rps.noop,
      withProducer: rps.producer,
      putRecordPeer: rps.putRecord,
      kinesisAggPeer: rps.kinesisAgg,
      ratioWithProducer: ratio(rps.producer),
      ratioPutRecordPeer: ratio(rps.putRecord),
      ratioKinesisAggPeer: ratio(rps.kinesisAgg),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
