import { createProducer } from '../src/index.ts';
import { createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { clickEvent } from './click-events.ts';
import { runJsonChild } from './child.ts';

/** The put() latency figure, measured in a fresh process (see `put-latency-child.ts`). */
export function runPutLatencyIsolated(rate: number, seconds: number): Promise<{ p50Us: number; p99Us: number; samples: number }> {
  return runJsonChild('./put-latency-child.ts', [rate, seconds]);
}

/** Cost of one put() call, measured while the pipeline runs at `rate` events/s for `seconds`. */
export async function runPutLatency(stack: LocalStack, rate: number, seconds: number): Promise<{ p50Us: number; p99Us: number; samples: number }> {
  const streamName = randomName('bench-lat');
  await createStream(stack.kinesis, streamName, 4);
  const producer = createProducer({ streamName, kinesis: stack.kinesis, compression: 'deflate' });
  const samples: number[] = [];
  const pending: Promise<unknown>[] = [];
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < seconds * 1000) {
    const tickStart = performance.now();
    for (let i = 0; i < perTick; i++, n++) {
      const { value, partitionKey } = clickEvent(n);
      const t = performance.now();
      pending.push(producer.put(value, { partitionKey }));
      samples.push(performance.now() - t);
    }
    const spent = performance.now() - tickStart;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - spent)));
  }
  await Promise.all(pending);
  await producer.close();
  samples.sort((a, b) => a - b);
  const at = (q: number) => Number((samples[Math.floor(q * (samples.length - 1))] * 1000).toFixed(2));
  return { p50Us: at(0.5), p99Us: at(0.99), samples: samples.length };
}
