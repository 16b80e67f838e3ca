// producerMiddleware mounted in a real Express 5 application: `app.use(...)`, routes that call
// `req.producer.send()` and `put()` (typed through Express's Request, with no cast), the
// middleware's errorHandler, and the close; records read back from the embedded Kinesis.
import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidOptionError, KinesisActorsError } from '../../../src/errors.ts';
import { createProducer } from '../../../src/producer/producer.ts';
import { producerMiddleware, type ProducerLike, type ProducerMiddleware, type ProducerMiddlewareOptions } from '../../../src/web/express/index.ts';
import { readStream } from '../../../src/testing/index.ts';
import { until } from '../wait.ts';
import { clickStreams, Gate, postClick, refused, type TestClick } from './click-route.ts';

const { kinesisClient, newStream, idsInStream } = clickStreams('web-express-app');

interface ClickApp {
  server: Server;
  base: string;
  kinesis: ProducerMiddleware;
  /** Whether each request saw one producer on `req.producer`, `res.locals.producer` and the middleware. */
  sameProducer: boolean[];
}

/**
 * The README's Express backend: `POST /click` hands the click to `send()` (after waiting at
 * `gate`) and answers 202; `POST /put` waits for Kinesis with `put()` and answers its result;
 * `GET /boom` fails with an error of its own; the middleware's errorHandler after the routes.
 */
async function clickApp(options: ProducerMiddlewareOptions, gate = new Gate()): Promise<ClickApp> {
  const kinesis = producerMiddleware(options);
  const sameProducer: boolean[] = [];
  const app = express();
  app.use(express.json({ limit: '1mb' }), kinesis);
  app.post('/click', async (req, res) => {
    expectTypeOf(req.producer).toEqualTypeOf<ProducerLike>();
    expectTypeOf(res.locals.producer).toEqualTypeOf<ProducerLike>();
    const click = req.body as TestClick;
    await gate.pass();
    sameProducer.push(req.producer === kinesis.producer && res.locals.producer === kinesis.producer);
    req.producer.send(click, { partitionKey: click.userId });
    res.status(202).json({ accepted: click.id });
  });
  app.post('/put', async (req, res) => {
    const click = req.body as TestClick;
    const result = await req.producer.put(click, { partitionKey: click.userId });
    res.json(result);
  });
  app.get('/boom', () => {
    throw new Error('not the producer');
  });
  app.use(kinesis.errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, kinesis, sameProducer };
}

describe('kinesis-actors/express in a real Express 5 application', () => {
  it('routes send() and put() through req.producer, and the records are in the stream', async () => {
    const streamName = await newStream();
    const { server, base, kinesis, sameProducer } = await clickApp({ producer: { streamName, kinesis: kinesisClient() } });
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => postClick(`${base}/click`, { id: `sent-${i}`, userId: `u${i % 7}` })));
    expect(sent.map((a) => a.status)).toEqual(Array(20).fill(202));
    const response = await fetch(`${base}/put`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'put-1', userId: 'u1' }) });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { shardId: string; sequenceNumber: string; attempts: number };
    expect(result.attempts).toBe(1);
    expect(sameProducer).toEqual(Array(20).fill(true));
    server.close();
    await kinesis.close();

    const { records } = await readStream(kinesisClient(), streamName);
    const put = records.find((r) => (JSON.parse(r.data.toString('utf8')) as TestClick).id === 'put-1');
    expect(put).toMatchObject({ shardId: result.shardId, sequenceNumber: result.sequenceNumber, partitionKey: 'u1' });
    expect(await idsInStream(streamName)).toEqual(['put-1', ...Array.from({ length: 20 }, (_, i) => `sent-${i}`)].sort());
  });

  it('on SIGTERM (server.close(), then close()), requests in flight finish with Connection: close, and every click answered 202 is in the stream', async () => {
    const streamName = await newStream();
    const gate = new Gate();
    const { server, base, kinesis } = await clickApp({ producer: { streamName, kinesis: kinesisClient(), compression: 'deflate' } }, gate);
    const url = `${base}/click`;
    const before = await Promise.all(Array.from({ length: 10 }, (_, i) => postClick(url, { id: `before-${i}`, userId: `u${i % 3}` })));
    gate.shut();
    const agent = new Agent({ keepAlive: true });
    const held = Promise.all(Array.from({ length: 8 }, (_, i) => postClick(url, { id: `held-${i}`, userId: `u${i % 3}` }, agent)));
    await until(() => gate.waiting === 8);
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    const closing = kinesis.close();
    await until(() => refused(url));
    expect(kinesis.inFlight).toBe(8);
    gate.open();
    const during = await held;
    await closing;
    // Kept-alive connections answered during the close ended, so the server's close completes.
    await serverClosed;
    agent.destroy();

    expect(before.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(during.map((a) => [a.status, a.connection])).toEqual(Array(8).fill([202, 'close']));
    expect(kinesis.inFlight).toBe(0);
    expect(await idsInStream(streamName)).toEqual([...before, ...during].map((a) => a.body.accepted!).sort());
  });

  it('while closing, answers new requests 503 with Retry-After and Connection: close, and close() waits for the requests in flight', async () => {
    const streamName = await newStream();
    const gate = new Gate();
    const { server, base, kinesis } = await clickApp({ producer: { streamName, kinesis: kinesisClient() }, retryAfterSeconds: 5 }, gate);
    try {
      gate.shut();
      const held = postClick(`${base}/click`, { id: 'held', userId: 'u1' });
      await until(() => gate.waiting === 1);
      let closed = false;
      const closing = kinesis.close().then(() => (closed = true));
      const late = await fetch(`${base}/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'late', userId: 'u1' }) });
      expect(late.status).toBe(503);
      expect(late.headers.get('retry-after')).toBe('5');
      expect(late.headers.get('connection')).toBe('close');
      expect(await late.json()).toEqual({ error: 'Service Unavailable', code: 'PRODUCER_CLOSED', message: 'the server is shutting down' });
      // The held request is not answered yet: the producer stays open for it.
      expect(closed).toBe(false);
      expect(kinesis.inFlight).toBe(1);
      gate.open();
      expect(await held).toMatchObject({ status: 202, connection: 'close' });
      await closing;
      expect(await idsInStream(streamName)).toEqual(['held']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers a record the producer refuses 400, a full producer 503 with Retry-After, and leaves other errors to Express', async () => {
    const streamName = await newStream();
    const { server, base, kinesis } = await clickApp({
      producer: { streamName, kinesis: kinesisClient(), maxOutstandingRecords: 3, backpressure: 'reject', recordMaxBufferedTime: 600_000, maxUserRecordSize: 1024 },
    });
    const click = (id: string, userId: unknown = 'u1', extra: Record<string, unknown> = {}) =>
      fetch(`${base}/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, userId, ...extra }) }).then(async (r) => ({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        body: (await r.json()) as { error?: string; code?: string; message?: string; accepted?: string },
      }));
    expect((await click('a')).status).toBe(202);
    expect(await click('no-key', null)).toEqual({ status: 400, retryAfter: null, body: { error: 'Bad Request', code: 'INVALID_PARTITION_KEY', message: expect.stringContaining('partitionKey') } });
    expect(await click('long-key', 'k'.repeat(257))).toMatchObject({ status: 400, body: { code: 'INVALID_PARTITION_KEY' } });
    expect(await click('too-large', 'u1', { page: 'p'.repeat(2000) })).toMatchObject({ status: 400, body: { code: 'RECORD_TOO_LARGE' } });
    expect((await click('b')).status).toBe(202);
    expect((await click('c')).status).toBe(202);
    expect(await click('d')).toEqual({ status: 503, retryAfter: '1', body: { error: 'Service Unavailable', code: 'BACKPRESSURE', message: expect.any(String) } });
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get('content-type')).toMatch(/^text\/html/);
    server.close();
    await kinesis.close();
    expect(await idsInStream(streamName)).toEqual(['a', 'b', 'c']);
  });

  it('answers 503 PRODUCER_CLOSED when the producer it was given was closed elsewhere', async () => {
    const streamName = await newStream();
    const producer = createProducer({ streamName, kinesis: kinesisClient() });
    const { server, base, kinesis } = await clickApp({ producer });
    try {
      expect((await postClick(`${base}/click`, { id: 'first', userId: 'u1' })).status).toBe(202);
      await producer.close();
      expect(await postClick(`${base}/click`, { id: 'second', userId: 'u1' })).toMatchObject({ status: 503, body: { code: 'PRODUCER_CLOSED' } });
      expect(await idsInStream(streamName)).toEqual(['first']);
    } finally {
      server.close();
      await kinesis.close();
    }
  });

  it('throws a typed error with a code for bad options, before a producer or app is made', () => {
    const thrown = (options: unknown) => {
      try {
        producerMiddleware(options as ProducerMiddlewareOptions);
      } catch (error) {
        return error;
      }
      throw new Error('no error thrown');
    };
    for (const options of [undefined, { producer: 'clicks' }, { producer: { streamName: 'clicks' }, retryAfterSeconds: 1.5 }, { producer: { streamName: '' } }]) {
      const error = thrown(options);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toBeInstanceOf(KinesisActorsError);
      expect(error).toMatchObject({ code: 'INVALID_OPTION', retriable: false });
    }
    expect(thrown({ producer: { streamName: 'clicks' }, retryAfterSeconds: 1.5 })).toMatchObject({ message: 'options.retryAfterSeconds must be an integer ≥ 0 (got 1.5)' });
  });
});
