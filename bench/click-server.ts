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
 * `bench/click-server-child.ts`. The server runs in a process of its own, as it is deployed,
 * apart from the embedded Kinesis; the load comes from a third process on loopback, one mode
 * at a time, each on a fresh stream. The order turns with `run`, so that over the runs each
 * mode takes each place and the noise of the machine falls on all alike.
 */
export async function runClickServer(stack: LocalStack, seconds: number, run = 0, connections = 32): Promise<ClickServerRun> {
  const rps = {} as Record<ClickServerMode, number>;
  for (let i = 0; i < modes.length; i++) {
    const mode = modes[(i + run) % modes.length];
    const streamName = randomName(`bench-click-${mode}`);
    await createStream(stack.kinesis, streamName, 4);
    const server = await startServerChild<{ url: string }>('./click-server-child.ts', [mode, stack.kinesisEndpoint, streamName]);
    try {
      const load = await runJsonChild<{ rps: number; errors: number; non2xx: number }>('./http-load.ts', [`${server.ready.url}/click`, connections, seconds]);
      // A mode that fails requests would be measured fast; it is a broken run instead.
      if (load.errors > 0 || load.non2xx > 0) throw new Error(`click server (${mode}): ${load.errors} requests failed, ${load.non2xx} answers not 2xx`);
      rps[mode] = load.rps;
    } finally {
      await server.stop();
    }
  }
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
}
