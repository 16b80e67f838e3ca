// A long run of enhanced fan-out against kinesis-local: subscriptions renewed every few hundred
// milliseconds (Kinesis: five minutes) and killed every few seconds, while records flow. It
// counts what the fan-out client holds open (HTTP/2 sessions, sockets to Kinesis) and the live
// heap after a full GC, sample by sample, and fails if they grow with the number of renewals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { fanOut, fanOutOf, received, recordingHandler, sessions, shortTimings, testConsumer } from './fan-out-helpers.ts';
import { until } from './wait.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Sockets of this thread connected to `port`. */
function socketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && h.remotePort === port).length;
}

function liveHeapMb(): number {
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

interface Sample {
  round: number;
  /** HTTP/2 sessions opened so far: one per SubscribeToShard call. */
  sessionsOpened: number;
  openSessions: number;
  sockets: number;
  heapMb: number;
}

const ROUNDS = Number(process.env.FAN_OUT_LONG_RUN_ROUNDS ?? 12);

describe('enhanced fan-out over many renewals and re-subscribes', () => {
  let local: KinesisLocal;
  let stack: LocalStack;
  beforeAll(async () => {
    [local, stack] = await Promise.all([startKinesisLocal(), startLocalStack({})]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), stack?.close()]);
  });

  it('keeps HTTP/2 sessions, sockets and the live heap flat while subscriptions are renewed and killed again and again', { timeout: 60_000 + ROUNDS * 15_000 }, async () => {
    const stream = randomName('fo-long');
    await createStream(local.kinesis, stream, 2);
    const port = Number(new URL(local.endpoint).port);
    const got = received();
    const consumer = testConsumer(stream, { kinesis: local.kinesis, dynamodb: stack.dynamodb! }, { retrieval: fanOut(shortTimings(300)), handler: recordingHandler(got) });
    const samples: Sample[] = [];
    try {
      await consumer.start();
      for (let round = 0; round < ROUNDS; round++) {
        const ids = range(50).map((i) => round * 50 + i);
        await putClickEvents(local.kinesis, stream, ids);
        await until(() => got.counts.size === (round + 1) * 50, 60_000);
        // Every third round the connections break under the subscriptions.
        if (round % 3 === 2) fanOutOf(consumer).destroyHttp2Sessions();
        const s = sessions(consumer);
        samples.push({ round, sessionsOpened: s.opened, openSessions: s.open, sockets: socketsTo(port), heapMb: liveHeapMb() });
      }
      console.log(`fan-out long run (${ROUNDS} rounds):\n${samples.map((s) => JSON.stringify(s)).join('\n')}`);
      const first = samples[1];
      const last = samples[samples.length - 1];
      expect(last.sessionsOpened - first.sessionsOpened, 'subscriptions were renewed and re-made many times').toBeGreaterThan(2 * ROUNDS);
      for (const s of samples) expect(s.openSessions, `round ${s.round}: at most one HTTP/2 session per shard`).toBeLessThanOrEqual(2);
      // Sockets to Kinesis: the HTTP/1.1 pool of the other requests, plus a session per shard.
      expect(Math.max(...samples.map((s) => s.sockets)), 'sockets to Kinesis stay bounded').toBeLessThanOrEqual(first.sockets + 4);
      expect(last.heapMb, 'the live heap does not grow with the renewals').toBeLessThan(first.heapMb + 20);
      expect(got.deliveries).toBe(ROUNDS * 50);
    } finally {
      await consumer.close();
    }
    const closed = sessions(consumer);
    expect(closed.open).toBe(0);
    const last = samples[samples.length - 1];
    // What is left is the HTTP/1.1 pool of the test's own client.
    await until(() => socketsTo(port) <= last.sockets - last.openSessions, 10_000);
  });
});
