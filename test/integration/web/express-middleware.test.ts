import { EventEmitter } from 'node:events';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createProducer } from '../../../src/producer/producer.ts';
import { producerMiddleware, type ProducerMiddleware, type ProducerMiddlewareOptions, type ProducerRequest } from '../../../src/web/express/index.ts';
import { until } from '../wait.ts';
import { captureClick, clickStreams, Gate, postClick, refused, type RouteAnswer, type TestClick } from './click-route.ts';

const { kinesisClient, newStream, idsInStream } = clickStreams('web-express');

function readJson(req: IncomingMessage): Promise<TestClick> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(JSON.parse(text) as TestClick));
    req.on('error', reject);
  });
}

/**
 * A plain `node:http` server run the way Express runs middleware: `res.locals` set up first,
 * then the middleware, then the route (`POST /click`, waiting at `gate` before it puts).
 */
async function clickServer(options: ProducerMiddlewareOptions, gate = new Gate()): Promise<{ server: Server; url: string; kinesis: ProducerMiddleware; locals: unknown[] }> {
  const kinesis = producerMiddleware(options);
  const locals: unknown[] = [];
  const route = async (req: IncomingMessage, res: ServerResponse & { locals: Record<string, unknown> }) => {
    const click = await readJson(req);
    await gate.pass();
    locals.push(res.locals.producer);
    const { status, body } = await captureClick((req as ProducerRequest).producer, click);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const withLocals = Object.assign(res, { locals: {} as Record<string, unknown> });
    kinesis(req, withLocals, (error) => {
      if (error) res.writeHead(500).end();
      else void route(req, withLocals);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/click`, kinesis, locals };
}

const accepted = (answers: RouteAnswer[]) => answers.filter((a) => a.status === 202).map((a) => a.body.accepted!).sort();

describe('kinesis-actors/express: producerMiddleware', () => {
  it('on a SIGTERM-like shutdown, every click answered 202 is in the stream, requests held in flight across the close included', async () => {
    const streamName = await newStream();
    const gate = new Gate();
    const { server, url, kinesis, locals } = await clickServer({ producer: { streamName, kinesis: kinesisClient(), compression: 'deflate' } }, gate);
    const signals = new EventEmitter();
    let closing: Promise<void> | undefined;
    signals.once('SIGTERM', () => {
      server.close();
      closing = kinesis.close();
    });

    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => postClick(url, { id: `before-${i}`, userId: `u${i % 5}` })));
    gate.shut();
    // Kept-alive connections: answered during the close, they are told to end, or the close would wait for them.
    const agent = new Agent({ keepAlive: true });
    const held = Promise.all(Array.from({ length: 10 }, (_, i) => postClick(url, { id: `held-${i}`, userId: `u${i % 5}` }, agent)));
    await until(() => gate.waiting === 10);
    signals.emit('SIGTERM');
    await until(() => refused(url));
    expect(kinesis.inFlight).toBe(10);
    gate.open();
    const during = await held;
    await closing;

    expect(before.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(during.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(during.map((a) => a.connection)).toEqual(Array(10).fill('close'));
    agent.destroy();
    expect(await idsInStream(streamName)).toEqual(accepted([...before, ...during]));
    expect(kinesis.inFlight).toBe(0);
    expect(new Set(locals)).toEqual(new Set([kinesis.producer]));
  });

  it('after close(), answers new requests 503 with Retry-After and leaves the producer to the requests in flight', async () => {
    const streamName = await newStream();
    const gate = new Gate();
    const { server, url, kinesis } = await clickServer({ producer: { streamName, kinesis: kinesisClient() }, retryAfterSeconds: 3 }, gate);
    try {
      gate.shut();
      const held = postClick(url, { id: 'held', userId: 'u1' });
      await until(() => gate.waiting === 1);
      const closing = kinesis.close();
      expect(kinesis.close()).toBe(closing);
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ id: 'late', userId: 'u1' }) });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(await response.json()).toMatchObject({ code: 'PRODUCER_CLOSED' });
      gate.open();
      expect((await held).status).toBe(202);
      await closing;
      expect(await idsInStream(streamName)).toEqual(['held']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('closes a producer it was given', async () => {
    const streamName = await newStream();
    const producer = createProducer({ streamName, kinesis: kinesisClient(), recordMaxBufferedTime: 600_000 });
    const { server, url, kinesis } = await clickServer({ producer });
    expect(kinesis.producer).toBe(producer);
    expect((await postClick(url, { id: 'given-1', userId: 'u1' })).status).toBe(202);
    server.close();
    await kinesis.close();
    await expect(producer.put({ id: 'late' }, { partitionKey: 'u1' })).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
    expect(await idsInStream(streamName)).toEqual(['given-1']);
  });

  it('when put() rejects, the route answers an error status and every click accepted before and after is delivered', async () => {
    const streamName = await newStream();
    const { server, url, kinesis } = await clickServer({ producer: { streamName, kinesis: kinesisClient(), maxOutstandingRecords: 3, backpressure: 'reject', recordMaxBufferedTime: 600_000 } });
    const click = (id: string, userId = 'u1') => postClick(url, { id, userId });
    expect((await click('a')).status).toBe(202);
    expect(await click('bad', 'k'.repeat(257))).toMatchObject({ status: 400, body: { code: 'INVALID_PARTITION_KEY' } });
    expect((await click('b')).status).toBe(202);
    expect((await click('c')).status).toBe(202);
    expect(await click('d')).toMatchObject({ status: 503, body: { code: 'BACKPRESSURE' } });
    server.close();
    await kinesis.close();
    expect(await idsInStream(streamName)).toEqual(['a', 'b', 'c']);
  });

  it('throws on bad options, naming them, before a producer is created', () => {
    const create = (options: unknown) => {
      try {
        producerMiddleware(options as ProducerMiddlewareOptions);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(create(undefined)).toMatchObject({ code: 'INVALID_OPTION', message: 'options.producer is required: the options of a producer to create, or a producer (got undefined)' });
    expect(create({ producer: null })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^options\.producer must be/) });
    expect(create({ producer: { close: () => Promise.resolve() } })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^options\.producer\.put must be a function/) });
    expect(create({ producer: { streamName: 'clicks', kinesis: kinesisClient() }, retryAfterSeconds: -1 })).toMatchObject({ code: 'INVALID_OPTION', message: 'options.retryAfterSeconds must be an integer ≥ 0 (got -1)' });
    expect(create({ producer: { streamName: 7 } })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('options.streamName') });
  });
});
