import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../internal/clock.ts';
import type { KinesisApi, StreamConsumer } from '../../kinesis/kinesis-api.ts';
import { ensureStreamConsumer } from '../../kinesis/stream-consumer-registration.ts';
import { parseStreamArn } from '../../kinesis/stream-identity.ts';
import { silentLogger } from '../../internal/logger.ts';
import { KinesisActorsError } from '../../errors.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';

/** The stream's ARN, which the stream-consumer operations take. */
async function streamArnOf(kinesis: KinesisApi, stream: string): Promise<string> {
  if (parseStreamArn(stream)) return stream;
  const { StreamARN } = await kinesis.describeStreamSummary(stream);
  if (!StreamARN) throw new KinesisActorsError('KINESIS_ERROR', `DescribeStreamSummary of ${stream} returned no StreamARN`);
  return StreamARN;
}

/** One line per consumer: name, status, registration time, ARN. */
export function consumerLines(consumers: StreamConsumer[]): string[] {
  return consumers.map((c) => `${c.consumerName}  ${c.status}  ${c.createdAt?.toISOString() ?? '-'}  ${c.consumerArn}`);
}

/** `consumers <stream>`: the enhanced fan-out consumers registered on a stream. */
export const consumersCommand = defineCommand({
  name: 'consumers',
  positionals: ['stream'],
  summary: 'list the enhanced fan-out consumers registered on a stream, with their status',
  options: { ...connectionOptions },
  async run(values, [stream]) {
    const clients = cliClients(values);
    try {
      const consumers = await clients.kinesisApi.listStreamConsumers(await streamArnOf(clients.kinesisApi, stream));
      if (consumers.length === 0) console.error(`${stream}: no consumers registered`);
      for (const line of consumerLines(consumers)) console.log(line);
    } finally {
      clients.destroy();
    }
  },
});

/** `consumers register <stream> <name>`: registers (or finds) a consumer and waits until it is ACTIVE. */
export const registerConsumerCommand = defineCommand({
  name: 'consumers register',
  positionals: ['stream', 'name'],
  summary: 'register an enhanced fan-out consumer (or find it) and wait until it is ACTIVE',
  options: { ...connectionOptions },
  async run(values, [stream, name]) {
    const clients = cliClients(values);
    try {
      const consumer = await ensureStreamConsumer(
        clients.kinesisApi,
        { stream, consumerName: name },
        { clock: systemClock, logger: silentLogger(), signal: new AbortController().signal, pollMs: 1000, retryBaseDelayMs: 500, retryMaxDelayMs: 5000, timeoutMs: 300_000 },
      );
      console.log(consumerLines([consumer])[0]);
    } finally {
      clients.destroy();
    }
  },
});

/** `consumers deregister <stream> <name>`: deregisters a consumer and waits until it is gone. */
export const deregisterConsumerCommand = defineCommand({
  name: 'consumers deregister',
  positionals: ['stream', 'name'],
  summary: 'deregister an enhanced fan-out consumer and wait until it is gone',
  options: { ...connectionOptions },
  async run(values, [stream, name]) {
    const clients = cliClients(values);
    try {
      const streamArn = await streamArnOf(clients.kinesisApi, stream);
      await clients.kinesisApi.deregisterStreamConsumer({ streamArn, consumerName: name });
      while ((await clients.kinesisApi.listStreamConsumers(streamArn)).some((c) => c.consumerName === name)) await sleep(1000);
      console.error(`${stream}: consumer ${name} deregistered`);
    } finally {
      clients.destroy();
    }
  },
});
