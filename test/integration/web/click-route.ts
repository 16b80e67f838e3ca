import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { KinesisActorsError } from '../../../src/errors.ts';
import { createStream, randomName, readStream, startLocalStack, type LocalStack } from '../../../src/testing/index.ts';
import type { ProducerLike } from '../../../src/web/producer-source.ts';

/** A click as the tests' routes take it: its id comes back in the 202 and is looked for in the stream. */
export interface TestClick {
  id: string;
  userId: string;
}

/** What a route answers for one click. */
export interface RouteAnswer {
  status: number;
  body: { accepted?: string; code?: string };
}

/**
 * The route body the README shows: put the click, answer 202 once the producer accepted it
 * (without waiting for Kinesis), 503 when it is full or closed, 400 when it refused the record.
 * `put()` rejects those before it returns, so the race sees the rejection first.
 */
export async function captureClick(producer: ProducerLike, click: TestClick): Promise<RouteAnswer> {
  const put = producer.put(click, { partitionKey: click.userId });
  try {
    await Promise.race([put, undefined]);
  } catch (error) {
    const code = (error as KinesisActorsError).code;
    return { status: code === 'BACKPRESSURE' || code === 'PRODUCER_CLOSED' ? 503 : 400, body: { code } };
  }
  put.catch(() => {});
  return { status: 202, body: { accepted: click.id } };
}

/** A gate the tests' routes wait at while it is shut: requests held in flight. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private open_: () => void = () => {};
  /** Requests waiting at the gate now. */
  waiting = 0;

  shut(): void {
    this.opened = new Promise((resolve) => (this.open_ = resolve));
  }

  open(): void {
    this.open_();
  }

  async pass(): Promise<void> {
    this.waiting++;
    await this.opened;
    this.waiting--;
  }
}

/**
 * POSTs one click as JSON, on a connection of its own unless an agent is given; a connection
 * refused or reset (the server stopped listening) is status 0.
 */
export function postClick(url: string, click: TestClick, agent: Agent | false = false): Promise<RouteAnswer & { connection?: string | undefined }> {
  const body = JSON.stringify(click);
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as RouteAnswer['body']), connection: res.headers.connection }));
      res.on('error', () => resolve({ status: 0, body: {} }));
    });
    req.on('error', () => resolve({ status: 0, body: {} }));
    req.end(body);
  });
}

/** Whether a new TCP connection to the server of `url` is refused: it has stopped listening. */
export function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * The embedded Kinesis of one test file, started before its tests and closed after them: a fresh
 * 2-shard stream per test, and the ids of the clicks in a stream, read back through the SDK.
 */
export function clickStreams(prefix: string): { kinesisClient(): LocalStack['kinesis']; newStream(): Promise<string>; idsInStream(streamName: string): Promise<string[]> } {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(async () => {
    await stack?.close();
  });
  const kinesisClient = () => stack!.kinesis;
  return {
    kinesisClient,
    async newStream() {
      const streamName = randomName(prefix);
      await createStream(kinesisClient(), streamName, 2);
      return streamName;
    },
    async idsInStream(streamName) {
      const { records } = await readStream(kinesisClient(), streamName);
      return records.map((r) => (JSON.parse(r.data.toString('utf8')) as TestClick).id).sort();
    },
  };
}
