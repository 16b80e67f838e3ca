// The web entries from the installed package: a fastify server with producerPlugin and a
// node:http server with producerMiddleware, each closed after its clicks, then the stream read back.
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { producerPlugin } from 'kinesis-actors/fastify';
import { producerMiddleware } from 'kinesis-actors/express';
import { createStream, readStream, startLocalStack } from 'kinesis-actors/testing';

const stack = await startLocalStack({ dynamodb: false });
await createStream(stack.kinesis, 'web', 1);
const producer = { streamName: 'web', kinesis: stack.kinesis };

const app = Fastify();
await app.register(producerPlugin, { producer });
app.post('/click', async (request, reply) => {
  app.producer.put(request.body, { partitionKey: request.body.userId }).catch(() => {});
  return reply.code(202).send();
});
const statuses = [];
for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'POST', url: '/click', payload: { userId: `f${i}` } })).statusCode);
await app.close();

const kinesis = producerMiddleware({ producer });
const server = createServer((req, res) =>
  kinesis(req, res, () => {
    req.producer.put({ userId: req.url }, { partitionKey: req.url }).catch(() => {});
    res.writeHead(202).end();
  }),
);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
for (let i = 0; i < 2; i++) statuses.push((await fetch(`http://127.0.0.1:${server.address().port}/e${i}`, { method: 'POST' })).status);
server.close();
await kinesis.close();

const inStream = (await readStream(stack.kinesis, 'web')).records.length;
await stack.close();
console.log(JSON.stringify({ statuses, inStream }));
