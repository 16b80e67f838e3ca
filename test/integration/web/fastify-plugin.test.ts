import { EventEmitter } from 'node:events';
import { Agent } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { KinesisActorsError } from '../../../src/errors.ts';
import { createProducer } from '../../../src/producer/producer.ts';
import { producerPlugin, type ProducerSource } from '../../../src/web/fastify/index.ts';
import { until } from '../wait.ts';
import { captureClick, clickStreams, Gate, postClick, refused, type RouteAnswer, type TestClick } from './click-route.ts';

const { kinesisClient, newStream, idsInStream } = clickStreams('web-fastify');

/** A server with the plugin and one route, `POST /click`, that waits at `gate` before it puts. */
async function clickServer(producer: ProducerSource, gate = new Gate()): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(producerPlugin, { producer });
  app.post<{ Body: TestClick }>('/click', async (request, reply) => {
    await gate.pass();
    const { status, body } = await captureClick(app.producer, request.body);
    return reply.code(status).send(body);
  });
  return app;
}

const accepted = (answers: RouteAnswer[]) => answers.filter((a) => a.status === 202).map((a) => a.body.accepted!).sort();

describe('kinesis-actors/fastify: producerPlugin', () => {
  it('on a SIGTERM-like close, every click answered 202 is in the stream, requests held in flight across the close included', async () => {
    const streamName = await newStream();
    const gate = new Gate();
    const app = await clickServer({ streamName, kinesis: kinesisClient(), compression: 'deflate' }, gate);
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/click`;
    const signals = new EventEmitter();
    let closing: Promise<void> | undefined;
    signals.once('SIGTERM', () => (closing = app.close()));

    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => postClick(url, { id: `before-${i}`, userId: `u${i % 5}` })));
    gate.shut();
    // Kept-alive connections: answered during the close, they are told to end, or the close would wait for them.
    const agent = new Agent({ keepAlive: true });
    const held = Promise.all(Array.from({ length: 10 }, (_, i) => postClick(url, { id: `held-${i}`, userId: `u${i % 5}` }, agent)));
    await until(() => gate.waiting === 10);
    signals.emit('SIGTERM');
    // The listener is closed while the ten requests wait: only now may they put.
    await until(() => refused(url));
    gate.open();
    const during = await held;
    await closing;

    expect(before.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(during.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(during.map((a) => a.connection)).toEqual(Array(10).fill('close'));
    agent.destroy();
    expect(await idsInStream(streamName)).toEqual(accepted([...before, ...during]));
  });

  it('when the close races with a burst of requests, every click that got 202 is in the stream, and nothing else', async () => {
    const streamName = await newStream();
    const app = await clickServer({ streamName, kinesis: kinesisClient() });
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/click`;
    let closing: Promise<void> | undefined;
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const answer = await postClick(url, { id: `burst-${String(i).padStart(3, '0')}`, userId: `u${i % 17}` });
        if (answer.status === 202) closing ??= app.close();
        return answer;
      }),
    );
    await closing;
    const ok = accepted(answers);
    expect(ok.length).toBeGreaterThan(0);
    // Turned away while closing: 503 from fastify, or a connection it no longer accepts.
    expect(answers.every((a) => a.status === 202 || a.status === 503 || a.status === 0)).toBe(true);
    expect(await idsInStream(streamName)).toEqual(ok);
  });

  it('closes a producer it was given', async () => {
    const streamName = await newStream();
    const producer = createProducer({ streamName, kinesis: kinesisClient(), recordMaxBufferedTime: 600_000 });
    const app = await clickServer(producer);
    const answer = await app.inject({ method: 'POST', url: '/click', payload: { id: 'given-1', userId: 'u1' } });
    expect(answer.statusCode).toBe(202);
    expect(app.producer).toBe(producer);
    // Still buffered (a linger of ten minutes): only the close sends it.
    await app.close();
    await expect(producer.put({ id: 'late' }, { partitionKey: 'u1' })).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
    expect(await idsInStream(streamName)).toEqual(['given-1']);
  });

  it('when put() rejects, the route answers an error status and every click accepted before and after is delivered', async () => {
    const streamName = await newStream();
    // Room for three clicks, held in the buffer until the close flushes them.
    const app = await clickServer({ streamName, kinesis: kinesisClient(), maxOutstandingRecords: 3, backpressure: 'reject', recordMaxBufferedTime: 600_000 });
    const click = (id: string, userId = 'u1') => app.inject({ method: 'POST', url: '/click', payload: { id, userId } });
    expect((await click('a')).statusCode).toBe(202);
    const badKey = await click('bad', 'k'.repeat(257));
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json()).toEqual({ code: 'INVALID_PARTITION_KEY' });
    expect((await click('b')).statusCode).toBe(202);
    expect((await click('c')).statusCode).toBe(202);
    const full = await click('d');
    expect(full.statusCode).toBe(503);
    expect(full.json()).toEqual({ code: 'BACKPRESSURE' });
    await app.close();
    expect(await idsInStream(streamName)).toEqual(['a', 'b', 'c']);
  });

  it('rejects bad options at registration, naming them, before a producer is created', async () => {
    const register = async (options: unknown) => {
      const app = Fastify();
      try {
        await app.register(producerPlugin, options as { producer: ProducerSource });
        return undefined;
      } catch (error) {
        return error;
      } finally {
        await app.close();
      }
    };
    expect(await register({})).toMatchObject({ code: 'INVALID_OPTION', message: 'options.producer must be the options of a producer to create ({ streamName, ... }) or a producer (with put() and close()) (got undefined)' });
    expect(await register({ producer: 'clicks' })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('(got "clicks")') });
    expect(await register({ producer: { put: () => Promise.resolve() } })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^options\.producer\.send must be a function/) });
    const withoutClose = { put() {}, send() {}, putMany() {}, flush() {}, on() {} };
    expect(await register({ producer: withoutClose })).toMatchObject({ code: 'INVALID_OPTION', message: 'options.producer.close must be a function: a producer given has put(), send(), putMany(), flush(), on(), close() (got undefined)' });
    expect(await register({ producer: { streamName: '' } })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('options.streamName') });
  });

  it('refuses a second registration on the same server, and the first producer still closes with it', async () => {
    const streamName = await newStream();
    const producer = createProducer({ streamName, kinesis: kinesisClient() });
    const app = Fastify();
    await app.register(producerPlugin, { producer });
    await expect(app.register(producerPlugin, { producer: { streamName, kinesis: kinesisClient() } })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('already decorated') });
    await app.close();
    await expect(producer.put('x', { partitionKey: 'k' })).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
  });

  it("serves the README's route: send() from app.producer, 503 with Retry-After when it throws BACKPRESSURE, 500 for a bad record, failures as events", async () => {
    const streamName = await newStream();
    const app = Fastify();
    await app.register(producerPlugin, { producer: { streamName, kinesis: kinesisClient(), maxOutstandingRecords: 2, backpressure: 'reject', recordMaxBufferedTime: 600_000 } });
    const failed: string[] = [];
    app.producer.on('producer.recordFailed', ({ partitionKey }) => failed.push(partitionKey));
    app.post<{ Body: TestClick }>('/click', async (request, reply) => {
      try {
        app.producer.send(request.body, { partitionKey: request.body.userId });
      } catch (error) {
        const { code } = error as KinesisActorsError;
        if (code !== 'BACKPRESSURE' && code !== 'PRODUCER_CLOSED') throw error;
        return reply.code(503).header('retry-after', '1').send({ code });
      }
      return reply.code(202).send();
    });
    const click = (id: string, userId = 'u1') => app.inject({ method: 'POST', url: '/click', payload: { id, userId } });
    expect((await click('a')).statusCode).toBe(202);
    const bad = await click('bad', 'k'.repeat(257));
    expect(bad.statusCode).toBe(500);
    expect(bad.json()).toMatchObject({ code: 'INVALID_PARTITION_KEY' });
    expect((await click('b')).statusCode).toBe(202);
    const full = await click('c');
    expect([full.statusCode, full.headers['retry-after'], full.json()]).toEqual([503, '1', { code: 'BACKPRESSURE' }]);
    await app.close();
    expect(failed).toEqual([]);
    expect(await idsInStream(streamName)).toEqual(['a', 'b']);
  });

  it('decorates the context that registers it, not a child of its own: the root server, and contexts registered in it after', async () => {
    const streamName = await newStream();
    const app = Fastify();
    await app.register(producerPlugin, { producer: { streamName, kinesis: kinesisClient() } });
    let seenInChild: unknown;
    await app.register(async (child) => {
      seenInChild = child.producer;
    });
    // Registered inside an encapsulated context, it belongs to that context, as with fastify-plugin.
    const other = Fastify();
    let inside: unknown;
    await other.register(async (child) => {
      await child.register(producerPlugin, { producer: { streamName, kinesis: kinesisClient() } });
      inside = child.producer;
    });
    await Promise.all([app.ready(), other.ready()]);
    expect(app.hasDecorator('producer')).toBe(true);
    expect(seenInChild).toBe(app.producer);
    expect(other.hasDecorator('producer')).toBe(false);
    expect(inside).toBeDefined();
    await Promise.all([app.close(), other.close()]);
    for (const producer of [app.producer, inside as typeof app.producer]) {
      expect(() => producer.send('x', { partitionKey: 'k' })).toThrow(expect.objectContaining({ code: 'PRODUCER_CLOSED' }));
    }
  });
});
