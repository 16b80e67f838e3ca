import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { createStream } from '../../src/testing/streams.ts';
import { until } from './wait.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

/** The CLI as an operator starts it, from source: `node --import tsx src/cli/main.ts ...args`. */
function runCli(env: Record<string, string>, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the operator CLI against the embedded stack', () => {
  let stack: LocalStack;
  let cli: (...args: string[]) => Promise<Run>;
  beforeAll(async () => {
    stack = await startLocalStack();
    cli = (...args) => runCli({ KINESIS_ENDPOINT: stack.kinesisEndpoint, DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint!, AWS_REGION: 'us-east-1' }, args);
  });
  afterAll(() => stack.close());

  it('creates, describes, puts a file into, tails, and shows the lease table of a stream', async () => {
    const stream = randomName('cli');
    const created = await cli('create-stream', stream, '--shards', '2');
    expect(created.stderr).toContain(`${stream}: ACTIVE with 2 shard(s)`);
    expect(created.code).toBe(0);

    const described = await cli('describe-stream', stream);
    expect(described.stdout).toContain('ACTIVE');
    expect(described.stdout.match(/shardId-\d+ {2}open/g)).toHaveLength(2);

    const dir = await mkdtemp(join(tmpdir(), 'cli-'));
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, userId: `user-${i % 37}`, page: '/home' }));
    await writeFile(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    const put = await cli('put', stream, join(dir, 'events.jsonl'), '--partition-key-field', 'userId');
    expect(put.stderr).toContain(`${stream}: 500 of 500 lines put`);
    expect(put.code).toBe(0);
    expect((await readStream(stack.kinesis, stream)).compressedRecords).toBe(0);

    const tailed = await cli('tail', stream, '--from', 'trim-horizon', '--max', '500');
    expect(tailed.code).toBe(0);
    expect(tailed.stdout.trim().split('\n').sort()).toEqual([...lines].sort());

    const app = randomName('cli-app');
    let processed = 0;
    const consumer = createConsumer({
      streamName: stream,
      applicationName: app,
      workerIdentifier: 'worker-a',
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: 50,
      handler: async (records) => void (processed += records.length),
    });
    await consumer.start();
    await until(() => processed === 500);
    const leases = await cli('leases', app, '--stream', stream);
    await consumer.close();
    expect(leases.code).toBe(0);
    expect(leases.stdout).toMatch(/shard\s+owner\s+counter\s+checkpoint\s+lag/);
    expect(leases.stdout.match(/shardId-\d+\s+worker-a\s+\d+\s+\S+\s+caught up/g)).toHaveLength(2);
  });

  it('puts with --compression deflate: compressed envelopes, every line read back', async () => {
    const stream = randomName('cli-deflate');
    await createStream(stack.kinesis, stream, 1);
    const dir = await mkdtemp(join(tmpdir(), 'cli-'));
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, page: '/home' }));
    await writeFile(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    const put = await cli('put', stream, join(dir, 'events.jsonl'), '--compression', 'deflate');
    expect(put.code).toBe(0);
    const contents = await readStream(stack.kinesis, stream);
    expect(contents.compressedRecords).toBeGreaterThan(0);
    expect(contents.records.map((r) => r.data.toString()).sort()).toEqual([...lines].sort());
  });

  it('names what was wrong: usage errors exit 2, AWS errors exit 1', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const missing = await cli('create-stream');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing argument <name>');
    const shards = await cli('create-stream', 'x', '--shards', '0');
    expect(shards.code).toBe(2);
    expect(shards.stderr).toContain('--shards must be a whole number from 1 to 10000 (got "0")');
    const noStream = await cli('leases', 'some-app');
    expect(noStream.code).toBe(2);
    expect(noStream.stderr).toContain('--stream <name> is required');
    const absent = await cli('describe-stream', randomName('absent'));
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^kinesis-actors describe-stream: ResourceNotFoundException: .+$/m);
    expect(absent.stderr).not.toMatch(/^\s+at /m);
    const noFile = await cli('put', 'x', '/nonexistent/file');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('cannot read file "/nonexistent/file"');
  });
});

describe('the operator CLI as a process', () => {
  // Endpoints where nothing listens: version and usage errors must not connect to anything.
  const cli = (...args: string[]) => runCli({ KINESIS_ENDPOINT: 'http://127.0.0.1:9', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' }, args);

  it('prints the version of package.json for --version and -v', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const run of await Promise.all([cli('--version'), cli('-v')])) {
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it("answers an unknown option with one line and that command's usage, exit 2", async () => {
    const run = await cli('put', 'clicks', 'events.jsonl', '--bogus');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [error, blank, usage] = run.stderr.split('\n');
    expect(error).toMatch(/^kinesis-actors put: Unknown option '--bogus'/);
    expect(blank).toBe('');
    expect(usage).toBe('Usage: kinesis-actors put <stream> <file> [options]');
    expect(run.stderr).toContain('--partition-key-field <field>');
    expect(run.stderr).not.toContain('Commands:');
  });
});
