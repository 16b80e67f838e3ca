import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/testing/local-stack.ts';
import { startFailingProxy } from './failing-proxy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], options: { killAfterLine?: RegExp; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let signalled = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!signalled && options.killAfterLine?.test(output)) {
        signalled = true;
        setTimeout(() => child.kill('SIGTERM'), 1500);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('runnable examples', () => {
  it('the demo runs, drains, and its summary checks out', async () => {
    const { code, output } = await run(['examples/demo/main.ts', '--duration', '3', '--connections', '8']);
    expect(output).toContain('OK: read back = accepted = put = consumed');
    expect(code).toBe(0);
  });

  it("the demo runs against the endpoints the SDK's AWS_ENDPOINT_URL variables name", async () => {
    const stack = await startLocalStack();
    // Forwards everything, counting ListShards: proof that the demo talked to this Kinesis.
    const proxy = await startFailingProxy(stack.kinesisEndpoint, 'ListShards', 0);
    try {
      const env = { AWS_ENDPOINT_URL_KINESIS: proxy.endpoint, AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoDbEndpoint!, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
      const { code, output } = await run(['examples/demo/main.ts', '--duration', '3', '--connections', '8'], { env });
      expect(output).toContain(`Kinesis at ${proxy.endpoint}, DynamoDB at ${stack.dynamoDbEndpoint} (the AWS_ENDPOINT_URL variables)`);
      expect(output).toContain('OK: read back = accepted = put = consumed');
      expect(proxy.seen).toBeGreaterThan(0);
      expect(code).toBe(0);
    } finally {
      await proxy.close();
      await stack.close();
    }
  });

  it('the producer example drains everything accepted on SIGTERM', async () => {
    const { code, output } = await run(['examples/producer/main.ts'], { killAfterLine: /producing/ });
    expect(code).toBe(0);
    const match = output.match(/delivered (\d+) of (\d+)/);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
    expect(match![1]).toBe(match![2]);
  });

  it('the consumer example drains on SIGTERM after processing records', async () => {
    const { code, output } = await run(['examples/consumer/main.ts'], { killAfterLine: /consuming/ });
    expect(code).toBe(0);
    const match = output.match(/drained after processing (\d+) records/);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
  });

  it('the custom-actor example drops every duplicate through its dedupe stage', async () => {
    const { code, output } = await run(['examples/custom-actor/main.ts']);
    expect(output).toContain('OK: 1100 records written, 1000 unique orders counted, total 10000');
    expect(code).toBe(0);
  });

  it('the sensors example raises exactly one alert, for the sensor that spiked', async () => {
    const { code, output } = await run(['examples/sensors/main.ts']);
    expect(output).toContain('ALERT sensor-3: 48.0');
    expect(output).toContain('OK: 750 readings checked, 1 alert(s) on the alerts stream (sensor-3)');
    expect(code).toBe(0);
  });

  it('the consumer-fleet example hands a drained worker\'s shards over and consumes every event', async () => {
    const { code, output } = await run(['examples/consumer-fleet/main.ts', '--workers', '3', '--shards', '4', '--duration', '4']);
    expect(output).toContain('SIGTERM to worker-1');
    expect(output).toMatch(/shard\s+owner\s+counter\s+checkpoint\s+lag/);
    expect(output).toMatch(/OK: (\d+) events put, \1 consumed at least once/);
    expect(code).toBe(0);
  });

  it('the pipelines example: agent, clean, enrich, windows and sink agree on every count', async () => {
    const { code, output } = await run(['examples/pipelines/main.ts']);
    expect(output).toMatch(/10:00–10:01 {2}page \/home/);
    expect(output).toMatch(/sink objects: \d+, e\.g\. sink\/clicks-per-minute\/\d{4}\/\d{2}\/\d{2}\/\d{2}\//);
    expect(output).toContain('OK: 1200 lines tailed, 120 favicon requests dropped, 1080 clicks enriched');
    expect(output).toContain('summing to 1080 (by gender: 1080), ');
    expect(code).toBe(0);
  });

  it('the clickstream example: a worker killed mid-delivery, and still clicks put = warehouse rows = Parquet records', async () => {
    const { code, output } = await run(['examples/clickstream-warehouse/main.ts', '--events', '6000']);
    expect(output).toMatch(/SIGKILL to worker-1 mid-delivery, after \d+ events put/);
    expect(output).toContain('OK: clicks put 5880 = warehouse rows 5880 (each once) = distinct records in the Parquet files 5880');
    expect(output).toContain('e-mail addresses left unmasked: 0');
    expect(code).toBe(0);
  });

  it('the metrics-prometheus example: a last scrape shows as many records put and processed as were', async () => {
    const { code, output } = await run(['examples/metrics-prometheus/main.ts'], { killAfterLine: /producing and consuming/, env: { METRICS_PORT: '0' } });
    expect(code).toBe(0);
    const counts = output.match(/"put":(\d+),"processed":(\d+)/);
    expect(counts).not.toBeNull();
    expect(Number(counts![1])).toBeGreaterThan(0);
    expect(output).toMatch(new RegExp(`UserRecordsPut_total\\{[^}]*\\} ${counts![1]}\\\\n`));
    const processed = [...output.matchAll(/RecordsProcessed_total\{[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(processed).toBe(Number(counts![2]));
  });

  it('the metrics-otlp example: its last export shows as many records put and processed as were', async () => {
    const { code, output } = await run(['examples/metrics-otlp/main.ts'], { killAfterLine: /producing and consuming/ });
    expect(code).toBe(0);
    const counts = output.match(/"put":(\d+),"processed":(\d+)/);
    expect(counts).not.toBeNull();
    expect(Number(counts![1])).toBeGreaterThan(0);
    expect(output).toMatch(new RegExp(`UserRecordsPut\\{[^}]*\\} ${counts![1]}\\\\n`));
    const processed = [...output.matchAll(/RecordsProcessed\{[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(processed).toBe(Number(counts![2]));
  });
});
