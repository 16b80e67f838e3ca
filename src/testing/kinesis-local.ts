// kinesis-local: a second, slower Kinesis emulator for the few functional tests that kinesalite
// cannot serve.
//
// kinesalite (src/testing/local-stack.ts) stays the emulator for everything else: it is fast,
// but it lacks UpdateShardCount and ChildShards in GetRecords (see DESIGN.md, "Embedded local
// stack"). kinesis-local is the npm build of kinesis-mock (Scala.js, one self-contained
// main.js, no install scripts, no Java); it implements nearly the whole Kinesis API, including
// UpdateShardCount, ChildShards and stream consumers, but is about 70× slower under load. Use
// it only for small tests of what kinesalite lacks, never for volume.
//
// How it is run here:
// - main.js starts its servers as soon as it is loaded and never returns, so it runs in a
//   worker_thread: its (CPU-heavy) request handling stays off the test's event loop, and
//   `worker.terminate()` stops it. Its configuration comes from environment variables only,
//   which are given to the worker alone (the test process's env is left untouched).
// - It always opens two listeners: TLS on KINESIS_MOCK_TLS_PORT (self-signed certificate) and
//   plain HTTP on KINESIS_MOCK_PLAIN_PORT. The client here uses the plain HTTP one, so no
//   certificate has to be trusted. The TLS listener still needs its certificate:
//   KINESIS_MOCK_CERT_PATH points at the package's server.json (key and certificate as JSON;
//   the default is "server.json" relative to the working directory, which is why it is set).
// - Port 0 cannot be used (the mock would not tell which port it got), so two free ports are
//   picked first. The mock binds every interface (0.0.0.0, hard-coded); the kit only ever
//   talks to 127.0.0.1.
// - Every *_DURATION (create, delete, update shard count, split, merge, ...) is 0 ms, so a
//   stream is ACTIVE within milliseconds of a create or reshard, as with kinesalite.
import { Worker } from 'node:worker_threads';
import { createServer, type AddressInfo } from 'node:net';
import { request } from 'node:http';
import path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../aws/clients.ts';
import { loadOptional } from './optional-dependency.ts';

/** Options of {@link startKinesisLocal}. */
export interface KinesisLocalOptions {
  /** Total open shards the mock allows across streams (SHARD_LIMIT). @defaultValue 50 */
  shardLimit?: number | undefined;
  /** kinesis-mock's LOG_LEVEL (ERROR, WARN, INFO, DEBUG, TRACE); its output is kept for start-up errors. @defaultValue 'WARN' */
  logLevel?: string | undefined;
  /** How long to wait for the mock to answer HTTP. @defaultValue 30000 */
  startTimeoutMs?: number | undefined;
}

/** A running kinesis-local. */
export interface KinesisLocal {
  /** Plain HTTP endpoint on 127.0.0.1. */
  endpoint: string;
  /** A client from {@link createKinesisClient} (HTTP/1.1) for {@link endpoint}. */
  kinesis: KinesisClient;
  /** The last lines kinesis-mock printed (bounded), for failure messages. */
  logTail(): string;
  /** Destroys the client and stops the worker thread; idempotent. */
  close(): Promise<void>;
}

const DURATIONS = [
  'CREATE_STREAM_DURATION',
  'DELETE_STREAM_DURATION',
  'REGISTER_STREAM_CONSUMER_DURATION',
  'DEREGISTER_STREAM_CONSUMER_DURATION',
  'START_STREAM_ENCRYPTION_DURATION',
  'STOP_STREAM_ENCRYPTION_DURATION',
  'MERGE_SHARDS_DURATION',
  'SPLIT_SHARD_DURATION',
  'UPDATE_SHARD_COUNT_DURATION',
  'UPDATE_STREAM_MODE_DURATION',
];

const LOG_LINES = 200;

/** Two distinct ports free on every interface (the mock binds 0.0.0.0). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, () => resolve((server.address() as AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One HTTP round trip; true when the server answered at all (any status). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Starts kinesis-local (kinesis-mock) in a worker thread on a free port and waits until it
 * answers HTTP. Slow under load: for small functional tests of UpdateShardCount, ChildShards
 * and the like, not for volume (use startLocalStack in local-stack.ts for that).
 *
 * @example
 * const local = await startKinesisLocal();
 * await createStream(local.kinesis, 'clicks', 2);
 * await local.kinesis.send(new UpdateShardCountCommand({ StreamName: 'clicks', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
 * // ...
 * await local.close();
 */
export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
  const main = loadOptional('kinesis-local', 'startKinesisLocal()', ['kinesis-local'], (r) => r.resolve('kinesis-local/main.js'));
  const [tlsPort, plainPort] = await freePorts(2);
  // Only these variables: nothing from the caller's environment (an INITIALIZE_STREAMS,
  // AWS_ACCOUNT_ID or SHOULD_PERSIST_DATA there) leaks into the mock.
  const env: Record<string, string> = {
    KINESIS_MOCK_CERT_PATH: path.join(path.dirname(main), 'server.json'),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    KINESIS_MOCK_PLAIN_PORT: String(plainPort),
    SHARD_LIMIT: String(options.shardLimit ?? 50),
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: options.logLevel ?? 'WARN',
    ROOT_LOG_LEVEL: 'ERROR',
    SHOULD_PERSIST_DATA: 'false',
    LOAD_DATA_IF_EXISTS: 'false',
  };
  for (const name of DURATIONS) env[name] = '0ms';

  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
    if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
  };
  const logTail = () => log.join('\n');

  const worker = new Worker(main, { env, stdout: true, stderr: true });
  worker.stdout.on('data', keep);
  worker.stderr.on('data', keep);
  let exited: string | undefined;
  worker.on('error', (error) => {
    exited ??= `kinesis-local worker failed: ${error instanceof Error ? error.stack : String(error)}`;
  });
  worker.on('exit', (code) => {
    exited ??= `kinesis-local worker exited with code ${code}`;
  });
  // A test that forgets close() must not keep the process alive for it.
  worker.unref();

  const endpoint = `http://127.0.0.1:${plainPort}`;
  const timeout = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (exited) throw new Error(`${exited}\n--- kinesis-local output ---\n${logTail()}`);
    if (await answers(plainPort)) break;
    if (Date.now() > deadline) {
      await worker.terminate();
      throw new Error(`kinesis-local did not answer on ${endpoint} within ${timeout} ms\n--- kinesis-local output ---\n${logTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const kinesis = createKinesisClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    kinesis,
    logTail,
    close() {
      closing ??= (async () => {
        kinesis.destroy();
        await worker.terminate();
      })();
      return closing;
    },
  };
}
