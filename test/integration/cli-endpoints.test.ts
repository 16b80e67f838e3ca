import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { until } from './wait.ts';

let stdout = '';
let stderr = '';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  stdout = '';
  stderr = '';
  const code = await runCli(args);
  return { code, stdout, stderr };
}

describe("the operator CLI finds the emulators through the SDK's AWS_ENDPOINT_URL variables", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    // Only the SDK's variables (and credentials for its default chain): no CLI endpoint, no region.
    for (const name of ['KINESIS_ENDPOINT', 'DYNAMODB_ENDPOINT', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL']) vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', stack.kinesisEndpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', stack.dynamoDbEndpoint!);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('describes and tails a stream, and shows a lease table, with no endpoint option', async () => {
    const stream = randomName('cli-env');
    await createStream(stack.kinesis, stream, 2);
    await putClickEvents(stack.kinesis, stream, range(10));
    const described = await cli('describe-stream', stream);
    expect(described.stderr).toBe('');
    expect(described.code).toBe(0);
    expect(described.stdout).toContain(`${stream}  ACTIVE  2 open shard(s)`);

    const tailed = await cli('tail', stream, '--from', 'trim-horizon', '--max', '1');
    expect(tailed.stderr).toContain(`tailing ${stream} (2 shards) from trim-horizon on Kinesis at ${stack.kinesisEndpoint} (AWS_ENDPOINT_URL_KINESIS)`);

    const app = randomName('cli-env-app');
    const consumer = createConsumer({ streamName: stream, applicationName: app, workerIdentifier: 'worker-env', kinesis: stack.kinesis, dynamodb: stack.dynamodb, async handler() {} });
    await consumer.start();
    try {
      await until(() => consumer.heldShards().length === 2);
      const leases = await cli('leases', app, '--stream', stream);
      expect(leases.stderr).toBe('');
      expect(leases.code).toBe(0);
      expect(leases.stdout.match(/shardId-\d+\s+worker-env/g)).toHaveLength(2);
    } finally {
      await consumer.close();
    }
  });

  it('lets --endpoint and KINESIS_ENDPOINT win over AWS_ENDPOINT_URL_KINESIS, as an explicit endpoint does in the SDK', async () => {
    const stream = randomName('cli-env');
    await createStream(stack.kinesis, stream, 1);
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', 'http://127.0.0.1:9');
    vi.stubEnv('KINESIS_ENDPOINT', stack.kinesisEndpoint);
    const described = await cli('describe-stream', stream);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain(`${stream}  ACTIVE`);
  });
});
