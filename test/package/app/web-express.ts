// The Express entry from the installed package inside a real Express 5 application, in strict
// TypeScript: req.producer typed without a cast, send() and put() from routes, the error
// handler, then the close and the stream read back.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { producerMiddleware } from 'kinesis-actors/express';
import { createStream, readStream, startLocalStack } from 'kinesis-actors/testing';

const stack = await startLocalStack({ dynamodb: false });
await createStream(stack.kinesis, 'express', 1);
const kinesis = producerMiddleware({ producer: { streamName: 'express', kinesis: stack.kinesis } });
const app = express();
app.use(express.json(), kinesis);
app.post('/send', (req, res) => {
  req.producer.send(req.body, { partitionKey: String(req.body.userId) });
  res.sendStatus(202);
});
app.post('/put', async (req, res) => {
  const { shardId } = await res.locals.producer.put(req.body, { partitionKey: String(req.body.userId) });
  res.json({ shardId });
});
app.use(kinesis.errorHandler);
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const statuses: number[] = [];
for (let i = 0; i < 3; i++) statuses.push((await post('/send', { userId: `s${i}` })).status);
const put = await post('/put', { userId: 'p' });
statuses.push(put.status);
const refused = await post('/send', { userId: 'k'.repeat(257) });
statuses.push(refused.status);
const { code } = (await refused.json()) as { code: string };
server.close();
await kinesis.close();

const inStream = (await readStream(stack.kinesis, 'express')).records.length;
await stack.close();
console.log(JSON.stringify({ statuses, code, inStream }));
