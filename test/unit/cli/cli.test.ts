import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/cli.ts';

type Run = { code: number; stdout: string; stderr: string };

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  // Endpoints where nothing listens: help and version must not connect to anything.
  vi.stubEnv('KINESIS_ENDPOINT', 'http://127.0.0.1:9');
  vi.stubEnv('DYNAMODB_ENDPOINT', 'http://127.0.0.1:9');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function cli(...args: string[]): Promise<Run> {
  stdout = '';
  stderr = '';
  const code = await runCli(args);
  return { code, stdout, stderr };
}

describe('the operator CLI explains itself', () => {
  const connection = { '--endpoint': '$KINESIS_ENDPOINT', '--dynamodb-endpoint': '$DYNAMODB_ENDPOINT', '--region': '$AWS_REGION' };
  // Written out by hand, from what each command does when the option is absent.
  const defaults: Record<string, { synopsis: string; options: Record<string, string> }> = {
    local: { synopsis: 'local [options]', options: { '--port': '4567', '--dynamodb-port': '4568', '--s3-port': '4569' } },
    'create-stream': { synopsis: 'create-stream <name> [options]', options: { '--shards': '1', '--on-demand': 'off', '--max-record-size': '1024', ...connection } },
    'describe-stream': { synopsis: 'describe-stream <name> [options]', options: connection },
    leases: { synopsis: 'leases <applicationName> --stream <name> [options]', options: { '--stream': 'required', ...connection } },
    put: { synopsis: 'put <stream> <file> [options]', options: { '--partition-key': 'line-<n>', '--partition-key-field': 'none', '--compression': 'none', ...connection } },
    tail: { synopsis: 'tail <stream> [options]', options: { '--from': 'latest', '--max': 'no limit', ...connection } },
    dashboard: { synopsis: 'dashboard --stream <name> --app <name> [options]', options: { '--stream': 'required', '--app': 'required', '--port': '8080', '--host': '127.0.0.1', '--interval': '1000', '--no-tip': 'the tips are read', ...connection } },
  };

  it('prints the overall usage for --help, -h, help and no arguments', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const run = await cli(...args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: kinesis-actors <command> [options]');
      for (const name of Object.keys(defaults)) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
      expect(run.stdout).toContain('kinesis-actors <command> --help');
      expect(run.stdout).toContain('kinesis-actors --version');
    }
  });

  it("prints every command's usage for --help and -h: each option with its default, nothing else", async () => {
    for (const [name, { synopsis, options }] of Object.entries(defaults)) {
      for (const flag of ['--help', '-h']) {
        const run = await cli(name, flag);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Usage: kinesis-actors ${synopsis}\n`);
        const lines = run.stdout.split('\n').filter((line) => /^ {2}(-h, )?--/.test(line));
        expect(lines.map((line) => line.match(/--[\w-]+/)![0]).sort()).toEqual([...Object.keys(options), '--help'].sort());
        for (const [option, fallback] of Object.entries(options)) {
          const line = lines.find((l) => l.startsWith(`  ${option} `))!;
          expect(line, `${name} ${option}`).toContain(fallback === 'required' ? '(required)' : `(default: ${fallback}`);
        }
      }
    }
  });

  it('prints help rather than complaining when arguments are missing or wrong', async () => {
    const put = await cli('put', '--help');
    expect(put.code).toBe(0);
    expect(put.stdout).toContain('Usage: kinesis-actors put <stream> <file> [options]');
    expect(await cli('help', 'put')).toEqual(put);
    const shards = await cli('create-stream', '--shards', '0', '-h');
    expect(shards.code).toBe(0);
    expect(shards.stdout).toContain('Usage: kinesis-actors create-stream <name> [options]');
  });

  it('exits 2 with the overall usage for an unknown command, and with the command usage for a bad option value', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: kinesis-actors <command> [options]');
    const shards = await cli('create-stream', 'x', '--shards', '0');
    expect(shards.code).toBe(2);
    expect(shards.stderr.split('\n')[0]).toBe('kinesis-actors create-stream: --shards must be a whole number from 1 to 10000 (got "0")');
    expect(shards.stderr).toContain('Usage: kinesis-actors create-stream <name> [options]');
  });
});
