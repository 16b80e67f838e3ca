import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildClickServer } from '../../examples/click-capture/server.ts';
import { createStream, randomName, readStream, startLocalStack } from '../../src/testing/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

/** Starts main.ts; `listening` resolves with the server's address, `exit` with the code and all output. */
function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/click-capture/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  let onListening: (url: string) => void;
  const listening = new Promise<string>((resolve) => (onListening = resolve));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) onListening(match[1]);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output })));
  return { child, listening, exit };
}

function counts(output: string): { accepted: number; inStream: number } | undefined {
  const match = /OK: (\d+) clicks accepted, (\d+) in the stream/.exec(output);
  return match ? { accepted: Number(match[1]), inStream: Number(match[2]) } : undefined;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('examples/click-capture', () => {
  it('--self-test 500 sends 500 clicks, drains, and finds all of them in the stream', async () => {
    const { code, output } = await start(['--port', '0', '--self-test', '500']).exit;
    expect(counts(output)).toEqual({ accepted: 500, inStream: 500 });
    expect(code).toBe(0);
  });

  it('on SIGTERM, every click accepted over HTTP is in the stream', async () => {
    const { child, listening, exit } = start(['--port', '0']);
    const url = await listening;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await fetch(`${url}/click`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ page: `/page-${i % 3}`, userId: `user-${i}` }),
        });
        statuses.push(response.status);
        expect(await response.json()).toMatchObject({ accepted: true });
      }),
    );
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${url}/pixel.gif?page=/landing&uid=pixel-${i}`);
      statuses.push(response.status);
      expect(response.headers.get('content-type')).toBe('image/gif');
      expect(Buffer.from(await response.arrayBuffer()).subarray(0, 6).toString()).toBe('GIF89a');
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(30);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    child.kill('SIGTERM');
    const { code, output } = await exit;
    expect(counts(output)).toEqual({ accepted: 35, inStream: 35 });
    expect(code).toBe(0);
  });

  it('answers 400 naming the field when a click misses a required field or has the wrong type', async () => {
    const stack = await startLocalStack({ dynamodb: false });
    const streamName = randomName('clicks');
    await createStream(stack.kinesis, streamName, 1);
    const app = await buildClickServer({ producer: { streamName, kinesis: stack.kinesis } });
    try {
      const missing = await app.inject({ method: 'POST', url: '/click', payload: { page: '/home' } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().message).toContain('userId');
      const wrongType = await app.inject({ method: 'POST', url: '/click', payload: { page: 7, userId: 'u1' } });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json().message).toContain('page');
      const pixel = await app.inject({ method: 'GET', url: '/pixel.gif?page=/home' });
      expect(pixel.statusCode).toBe(400);
      expect(pixel.json().message).toContain('uid');
      expect(app.clickStats.accepted).toBe(0);
    } finally {
      await app.close();
      await stack.close();
    }
  });

  it('answers 503 with Retry-After while the producer is full, and still drains what it accepted', async () => {
    const stack = await startLocalStack({ dynamodb: false });
    const streamName = randomName('clicks');
    await createStream(stack.kinesis, streamName, 1);
    // Room for one click, buffered until the close flushes it: the second finds the producer full.
    const producer = { streamName, kinesis: stack.kinesis, maxOutstandingRecords: 1, backpressure: 'reject' as const, recordMaxBufferedTime: 600_000 };
    const app = await buildClickServer({ producer });
    try {
      const click = { method: 'POST' as const, url: '/click', payload: { page: '/home', userId: 'u1' } };
      expect((await app.inject(click)).statusCode).toBe(202);
      const full = await app.inject(click);
      expect(full.statusCode).toBe(503);
      expect(full.headers['retry-after']).toBe('1');
      expect(full.json().code).toBe('BACKPRESSURE');
      await app.close();
      expect(app.clickStats).toEqual({ accepted: 1, rejected: 1, delivered: 1, failed: 0 });
      expect((await readStream(stack.kinesis, streamName)).records).toHaveLength(1);
    } finally {
      await app.close();
      await stack.close();
    }
  });
});
