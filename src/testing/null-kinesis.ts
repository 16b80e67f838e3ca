import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { moduleScript } from '../internal/module-script.ts';
import { MAX_HASH_KEY } from '../codec/hash-key.ts';

/** A running {@link startNullKinesis} endpoint. */
export interface NullKinesis {
  endpoint: string;
  /** PutRecords entries accepted and their data bytes (base64-decoded size estimate). */
  readonly stats: { requests: number; entries: number };
  close(): Promise<void>;
}

/**
 * A Kinesis endpoint that accepts every PutRecords at once and stores nothing: ListShards
 * answers `shardCount` open shards splitting the hash range evenly, DescribeStreamSummary an
 * ACTIVE stream with the default record limit, PutRecords answers success
 * for each entry on the shard its hash key maps to. It measures the producer's own ceiling,
 * with the emulator out of the way.
 */
export async function startNullKinesis(shardCount: number, options: { ownProcess?: boolean } = {}): Promise<NullKinesis> {
  if (options.ownProcess) return startInChildProcess(shardCount);
  const step = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  const shards = Array.from({ length: shardCount }, (_, i) => ({
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: { StartingHashKey: (step * BigInt(i)).toString(), EndingHashKey: (i === shardCount - 1 ? MAX_HASH_KEY : step * BigInt(i + 1) - 1n).toString() },
    SequenceNumberRange: { StartingSequenceNumber: '0' },
  }));
  const stats = { requests: 0, entries: 0 };
  let sequence = 10n ** 50n;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      let answer: unknown;
      if (target.endsWith('.ListShards')) {
        answer = { Shards: shards };
      } else if (target.endsWith('.DescribeStreamSummary')) {
        answer = { StreamDescriptionSummary: { StreamName: body.StreamName, StreamStatus: 'ACTIVE', OpenShardCount: shardCount } };
      } else if (target.endsWith('.PutRecords')) {
        const records = (body.Records as { ExplicitHashKey?: string }[]).map((entry) => {
          stats.entries++;
          const hashKey = entry.ExplicitHashKey ? BigInt(entry.ExplicitHashKey) : 0n;
          const index = Math.min(shardCount - 1, Number(hashKey / step));
          return { SequenceNumber: String(sequence++), ShardId: shards[index].ShardId };
        });
        answer = { FailedRecordCount: 0, Records: records };
      } else {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      const payload = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload) }).end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close() {
      closing ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

/**
 * The same endpoint in a child process, so its request parsing costs neither the CPU nor the
 * memory of the process being measured. `stats` are fetched when it closes.
 */
async function startInChildProcess(shardCount: number): Promise<NullKinesis> {
  const { url, execArgv } = moduleScript('./null-kinesis-process', import.meta.url);
  const child = fork(url, [String(shardCount)], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const stats = { requests: 0, entries: 0 };
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { endpoint: string }) => resolve(message.endpoint));
    child.once('exit', (code) => reject(new Error(`the null Kinesis process exited with ${code}`)));
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    stats,
    close() {
      closing ??= new Promise((resolve) => {
        child.once('message', (final: typeof stats) => Object.assign(stats, final));
        child.once('exit', () => resolve());
        child.send('close');
      });
      return closing;
    },
  };
}
