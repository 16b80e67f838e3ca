// The consumer commands of the CLI against kinesis-local (kinesalite has no stream consumers),
// run in-process with their output captured.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { randomName } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';

type Run = { code: number; stdout: string; stderr: string };

describe('kinesis-actors consumers', () => {
  let local: KinesisLocal;
  let cli: (...args: string[]) => Promise<Run>;
  beforeAll(async () => {
    local = await startKinesisLocal();
    cli = async (...args) => {
      const out: string[] = [];
      const err: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
      try {
        const code = await runCli([...args, '--endpoint', local.endpoint, '--region', 'us-east-1']);
        return { code, stdout: out.join('\n'), stderr: err.join('\n') };
      } finally {
        log.mockRestore();
        error.mockRestore();
      }
    };
  });
  afterAll(() => local?.close());

  it('registers (idempotently), lists, shows in describe-stream, and deregisters a consumer', async () => {
    const stream = randomName('cli-fo');
    await createStream(local.kinesis, stream, 1);

    const none = await cli('consumers', stream);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain('no consumers registered');

    const registered = await cli('consumers', 'register', stream, 'dashboard');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(new RegExp(`^dashboard  ACTIVE  \\S+  arn:aws:kinesis:us-east-1:\\d+:stream/${stream}/consumer/dashboard:\\d+$`));
    const again = await cli('consumers', 'register', stream, 'dashboard');
    expect(again.stdout, 'registering again finds the same consumer').toBe(registered.stdout);
    expect((await cli('consumers', 'register', stream, 'billing')).code).toBe(0);

    const listed = await cli('consumers', stream);
    expect(listed.stdout.split('\n').map((l) => l.split('  ').slice(0, 2).join(' ')).sort()).toEqual(['billing ACTIVE', 'dashboard ACTIVE']);

    const described = await cli('describe-stream', stream);
    expect(described.stdout).toContain('  consumer dashboard  ACTIVE');
    expect(described.stdout).toContain('  consumer billing  ACTIVE');

    const deregistered = await cli('consumers', 'deregister', stream, 'dashboard');
    expect(deregistered.code).toBe(0);
    expect(deregistered.stderr).toContain('consumer dashboard deregistered');
    expect((await cli('consumers', stream)).stdout).not.toContain('dashboard');

    const missing = await cli('consumers', 'deregister', stream, 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kinesis-actors consumers deregister: .*not found/m);
  });

  it('tells the usage of a subcommand, and a missing argument is a usage error', async () => {
    const help = await cli('consumers', 'register', '--help');
    expect(help.stdout).toContain('Usage: kinesis-actors consumers register <stream> <name> [options]');
    const missing = await cli('consumers', 'deregister', 'some-stream');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing argument <name>');
  });
});
