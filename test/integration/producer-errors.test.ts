import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { createProducer } from '../../src/producer/producer.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { startFaultProxy } from '../../src/testing/fault-proxy.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { until } from './wait.ts';

interface LogLine {
  level: number;
  msg: string;
  err?: { message: string };
}

/** A pino logger at its default level (info) whose lines are kept. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const logger = pino({}, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines, warnings: (msg: string) => lines.filter((l) => l.level === 40 && l.msg === msg) };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every error down the `cause` chain. */
function causes(error: unknown): Error[] {
  const out: Error[] = [];
  for (let e = (error as Error).cause; e instanceof Error; e = e.cause) out.push(e);
  return out;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const root = fileURLToPath(new URL('../..', import.meta.url));

async function expiries(puts: Promise<unknown>[]): Promise<KinesisActorsError[]> {
  const settled = await Promise.allSettled(puts);
  return settled.map((s) => {
    expect(s.status).toBe('rejected');
    const reason = (s as PromiseRejectedResult).reason as KinesisActorsError;
    expect(reason).toBeInstanceOf(KinesisActorsError);
    expect(reason.code).toBe('RECORD_EXPIRED');
    return reason;
  });
}

describe('a producer that cannot reach Kinesis', () => {
  it('expires records with the connection error as their cause, and warns once per cause, not per record', async () => {
    const { logger, warnings } = capturedLogger();
    const producer = createProducer({
      streamName: 'nowhere',
      connection: { region: 'us-east-1', endpoint: `http://127.0.0.1:${await unusedPort()}`, credentials },
      recordTtl: 300,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 100,
      logger,
    });
    const puts = Array.from({ length: 50 }, (_, i) => producer.put({ i }, { partitionKey: `k${i}` }));
    const errors = await expiries(puts);
    await producer.close();

    for (const error of errors) {
      expect(error.cause, error.message).toBeInstanceOf(Error);
      expect(causes(error).some((c) => (c as { code?: string }).code === 'ECONNREFUSED'), error.message).toBe(true);
      expect(error.message).toContain('ECONNREFUSED');
    }
    const expired = warnings('producer.recordsExpired');
    expect(expired).toHaveLength(1);
    // pino's serializer appends the messages of the causes below it.
    expect(expired[0].err?.message.startsWith((errors[0].cause as Error).message)).toBe(true);
    // The shard map's own failures, retried every 20–100 ms meanwhile, are not a line per attempt.
    expect(warnings('producer.shardMapFailed')).toHaveLength(1);
  });
});

describe('a producer given no logger', () => {
  it('still writes its warnings to stderr, one JSON line per cause, and nothing at info', async () => {
    const port = await unusedPort();
    const script = `
      import { createProducer } from './src/index.ts';
      const producer = createProducer({ streamName: 'nowhere', recordTtl: 300, retryBaseDelayMs: 20, retryMaxDelayMs: 100,
        connection: { region: 'us-east-1', endpoint: 'http://127.0.0.1:${port}', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } });
      await Promise.allSettled(Array.from({ length: 20 }, (_, i) => producer.put({ i }, { partitionKey: 'k' + i })));
      await producer.close();`;
    const stderr = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let out = '';
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out));
    });
    const lines = stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
    expect(lines.filter((l) => l.msg === 'producer.recordsExpired')).toHaveLength(1);
    expect(lines.every((l) => l.level >= 40)).toBe(true);
  });
});

describe('a producer whose puts keep failing', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  it('expires records with the last PutRecords error as their cause, and warns once per distinct cause', async () => {
    const stream = randomName('errors');
    await createStream(stack.kinesis, stream, 2);
    // First every PutRecords is answered with HTTP 500 or 503, then every entry fails: at least
    // two distinct causes.
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, seed: 7, requestFailureRate: 1 });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint });
    const { logger, warnings } = capturedLogger();
    const producer = createProducer({ streamName: stream, kinesis, recordTtl: 1000, retryBaseDelayMs: 20, retryMaxDelayMs: 50, logger });
    const wave = (from: number) => expiries(Array.from({ length: 100 }, (_, i) => producer.put({ i: from + i }, { partitionKey: `k${from + i}` })));
    try {
      const errors = await wave(0);
      proxy.configure({ requestFailureRate: 0, entryFailureRate: 1 });
      errors.push(...(await wave(100)));
      const distinct = new Set<string>();
      for (const error of errors) {
        expect(error.cause, error.message).toBeInstanceOf(KinesisActorsError);
        expect((error.cause as KinesisActorsError).message).toMatch(/^PutRecords (failed: \w+ \(HTTP 50[03]\)|entry failed: InternalFailure)/);
        expect(error.message).toContain((error.cause as Error).message);
        distinct.add((error.cause as Error).message);
      }
      expect(distinct.size).toBeGreaterThanOrEqual(2);
      const expired = warnings('producer.recordsExpired');
      // pino's serializer appends the messages of the causes below it.
      const logged = expired.map((l) => [...distinct].find((d) => l.err?.message.startsWith(d)));
      expect(new Set(logged)).toEqual(distinct);
      expect(expired).toHaveLength(distinct.size);
    } finally {
      await producer.close();
      kinesis.destroy();
      await proxy.close();
    }
  });
});

describe('logger: console', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());
  afterEach(() => vi.restoreAllMocks());

  it('is adapted for the producer and the consumer: their lines reach the console with their context, below info left out', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stream = randomName('console');
    await createStream(stack.kinesis, stream, 1);

    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, logger: console });
    await producer.put({ hello: 'console' }, { partitionKey: 'k' });
    await producer.close();

    let consumed = 0;
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      logger: console,
      async handler(records) {
        consumed += records.length;
      },
    });
    await consumer.start();
    await until(() => consumed === 1);
    await consumer.close();

    const lines = info.mock.calls.map(([message, context]) => ({ message, context: context as Record<string, unknown> | undefined }));
    expect(lines).toContainEqual({ message: 'producer.closed', context: expect.objectContaining({ component: 'producer', streamName: stream }) });
    expect(lines).toContainEqual({ message: 'consumer.closed', context: expect.objectContaining({ component: 'consumer', streamName: stream }) });
    expect(debug).not.toHaveBeenCalled();
  });
});
