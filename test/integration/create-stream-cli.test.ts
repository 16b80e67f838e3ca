// `create-stream --on-demand` and `--max-record-size` against kinesis-local, which takes both
// (kinesalite takes neither), and a 10 MiB record read by `tail` through the SDK from a Kinesis
// endpoint of the test's own: kinesis-local stores such a record but its GetRecords failed
// (HTTP 500) on a read holding one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { runCli } from '../../src/cli/cli.ts';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { randomName } from '../../src/testing/local-stack.ts';

let stdout = '';
let stderr = '';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  stdout = '';
  stderr = '';
  const code = await runCli(args);
  return { code, stdout, stderr };
}

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('create-stream --on-demand and --max-record-size (kinesis-local)', () => {
  let local: KinesisLocal;
  beforeAll(async () => {
    local = await startKinesisLocal();
  });
  afterAll(() => local?.close());

  it('creates an on-demand stream with records up to 10 MiB, and a provisioned one with a raised limit', async () => {
    const onDemand = randomName('cli-od');
    const created = await cli('create-stream', onDemand, '--on-demand', '--max-record-size', '10240', '--endpoint', local.endpoint, '--region', 'us-east-1');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain(`${onDemand}: ACTIVE with 4 shard(s) (on-demand), records up to 10240 KiB`);
    const summary = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: onDemand }))).StreamDescriptionSummary!;
    expect(summary.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
    expect(summary.MaxRecordSizeInKiB).toBe(10240);

    const described = await cli('describe-stream', summary.StreamARN!, '--endpoint', local.endpoint, '--region', 'us-east-1');
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toContain(`${onDemand}  ACTIVE  4 open shard(s)  on-demand  retention 24 h  records up to 10240 KiB  ${summary.StreamARN}`);

    const provisioned = randomName('cli-prov');
    const second = await cli('create-stream', provisioned, '--shards', '2', '--max-record-size', '2048', '--endpoint', local.endpoint, '--region', 'us-east-1');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`${provisioned}: ACTIVE with 2 shard(s), records up to 2048 KiB`);
    const p = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: provisioned }))).StreamDescriptionSummary!;
    expect([p.StreamModeDetails?.StreamMode, p.OpenShardCount, p.MaxRecordSizeInKiB]).toEqual(['PROVISIONED', 2, 2048]);
  }, 60_000);

  it('refuses --on-demand with --shards, a record size out of 1024–10240, and a malformed stream ARN, with exit 2', async () => {
    const both = await cli('create-stream', 'x', '--on-demand', '--shards', '2', '--endpoint', local.endpoint);
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe('kinesis-actors create-stream: give --shards or --on-demand, not both: an on-demand stream has no shard count to choose');
    const small = await cli('create-stream', 'x', '--max-record-size', '1000', '--endpoint', local.endpoint);
    expect(small.code).toBe(2);
    expect(small.stderr.split('\n')[0]).toBe('kinesis-actors create-stream: --max-record-size must be a whole number from 1024 to 10240 (got "1000")');
    const arn = await cli('tail', 'arn:aws:kinesis:us-east-1:1:stream/x', '--endpoint', local.endpoint);
    expect(arn.code).toBe(2);
    expect(arn.stderr.split('\n')[0]).toBe(
      'kinesis-actors tail: the stream must be a stream ARN, arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name> (got "arn:aws:kinesis:us-east-1:1:stream/x")',
    );
  }, 30_000);
});

describe('tail reads a 10 MiB record through the SDK', () => {
  const MiB = 1024 * 1024;
  let server: Server;
  let endpoint: string;
  const data = Buffer.from(`{"id":1,"pad":"${'y'.repeat(10 * MiB - 18)}"}`);
  const requests: string[] = [];
  beforeAll(async () => {
    // One closed shard holding one record of 10 MiB less its partition key ("k"), as Kinesis answers in JSON.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target']).split('.')[1];
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
        requests.push(`${operation} ${JSON.stringify(body.StreamARN ?? body.StreamName ?? '')}`);
        const answers: Record<string, unknown> = {
          ListShards: { Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' }, SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } }] },
          GetShardIterator: { ShardIterator: 'it-1' },
          GetRecords: { Records: [{ SequenceNumber: '1', PartitionKey: 'k', Data: data.toString('base64'), ApproximateArrivalTimestamp: 1_700_000_000 }], NextShardIterator: null, MillisBehindLatest: 0 },
        };
        const payload = JSON.stringify(answers[operation] ?? {});
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload) }).end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('prints the record whole, asking by the ARN given', async () => {
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/big';
    const run = await cli('tail', arn, '--from', 'trim-horizon', '--max', '1', '--endpoint', endpoint, '--region', 'us-east-1');
    expect(run.code, run.stderr).toBe(0);
    expect(data.length + 1).toBe(10 * MiB);
    expect(stdout.length).toBe(data.length + 1);
    expect(stdout === `${data.toString('utf8')}\n`).toBe(true);
    expect(requests).toEqual([`ListShards ${JSON.stringify(arn)}`, `GetShardIterator ${JSON.stringify(arn)}`, 'GetRecords ""']);
  }, 60_000);
});
