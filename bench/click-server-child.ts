/**
 * The click-capture server as its own process, as it would be deployed, in one of four modes:
 *
 * - `producer`: the click-capture example (fastify) with this framework's producer putting to
 *   `endpoint` (compression 'deflate', as the example runs it);
 * - `noop`: the same example with a no-op in the producer's place;
 * - `putRecord`: the same route with one SDK PutRecord per request, awaited before the reply;
 * - `kinesisAgg`: the same route with clicks batched, aggregated with aws-kinesis-agg and sent
 *   with PutRecords, the reply not waiting.
 *
 * Prints `{"url": ...}` once listening, and closes (flushing what it buffered) on SIGTERM.
 *
 *   npx tsx bench/click-server-child.ts producer|noop|putRecord|kinesisAgg <endpoint> <streamName>
 */
import { Agent } from 'node:http';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FastifyInstance } from 'fastify';
import { buildClickServer, type ClickProducer } from '../examples/click-capture/server.ts';
import { buildPeerClickServer } from './click-peer-server.ts';
import { putRecordPeer } from './click-peer-put-record.ts';
import { kinesisAggPeer } from './click-peer-kinesis-agg.ts';

/** The modes, as `bench/click-server.ts` names them. */
export type ClickServerMode = 'producer' | 'noop' | 'putRecord' | 'kinesisAgg';

const [mode, endpoint, streamName] = process.argv.slice(2) as [ClickServerMode, string, string];
const connection = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const noop: ClickProducer = {
  put: () => Promise.resolve({ shardId: 'none', sequenceNumber: '0', subSequenceNumber: 0, attempts: 1 }),
  send: () => {},
  putMany: () => Promise.resolve({ put: 0, failed: [] }),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  on: () => () => {},
  metrics: () => ({ UserRecordsPut: 0 }) as ReturnType<ClickProducer['metrics']>,
};
/** The peers' client as a team configures it for an HTTP/1.1 endpoint: the SDK's handler, keep-alive, its default 50 sockets. */
const sdkClient = () => new KinesisClient({ ...connection, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }) }) });

const servers: Record<ClickServerMode, () => Promise<FastifyInstance>> = {
  producer: () => buildClickServer({ producer: { streamName, compression: 'deflate', connection } }),
  noop: () => buildClickServer({ producer: noop }),
  putRecord: () => buildPeerClickServer(putRecordPeer(sdkClient(), streamName)),
  kinesisAgg: () => buildPeerClickServer(kinesisAggPeer(sdkClient(), streamName)),
};
if (!(mode in servers)) throw new Error(`unknown mode '${mode}': one of ${Object.keys(servers).join(', ')}`);
const app = await servers[mode]();
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ url }) + '\n');
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
