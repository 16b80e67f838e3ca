import { appendFile, mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileTailAgent } from '../../src/agents/file-tail/file-tail-agent.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { createProducer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { SimulatedClock } from '../../src/testing/simulated-clock.ts';
import { until } from './wait.ts';

function recorder(fail?: (value: unknown, attempt: number) => Error | undefined) {
  const values: unknown[] = [];
  const attempts = new Map<string, number>();
  return {
    values,
    target: {
      async put(value: unknown) {
        const key = Buffer.isBuffer(value) ? value.toString() : JSON.stringify(value);
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const error = fail?.(value, attempt);
        if (error) throw error;
        values.push(Buffer.isBuffer(value) ? value.toString() : value);
        return {};
      },
    },
  };
}

const lines = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}\n`).join('');

describe('file tail agent on real files', () => {
  it('follows a file through rotation and truncation, and waits for a line\'s newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    const log = join(dir, 'app.log');
    await writeFile(log, lines(0, 10) + 'partial');
    const { values, target } = recorder();
    const agent = createFileTailAgent({ files: log, target, checkpointFile: join(dir, 'ckpt.json'), pollIntervalMs: 10 });
    await agent.start();
    await until(() => values.length >= 10);
    await appendFile(log, '-done\n' + lines(10, 20));
    await until(() => values.length >= 21);
    expect(values[10]).toBe('partial-done');
    // logrotate: rename, a last line lands in the old file, a new file starts.
    await rename(log, `${log}.1`);
    await appendFile(`${log}.1`, 'late-in-old\n');
    await writeFile(log, lines(20, 25, 'new'));
    await until(() => values.length >= 27);
    expect(values).toContain('late-in-old');
    // copytruncate: the same file shrinks and starts over.
    await truncate(log, 0);
    await appendFile(log, 'after-truncate\n');
    await until(() => values.includes('after-truncate'));
    expect(agent.stats.filesTracked).toBe(2);
    // logrotate deletes the oldest file: the agent lets it go.
    await rm(`${log}.1`);
    await until(() => agent.stats.filesTracked === 1);
    await agent.close();
    expect(agent.stats).toMatchObject({ linesRead: 28, linesPut: 28, rotations: 1, truncations: 1 });
  });

  it('resumes from its checkpoint file: a restart neither skips nor repeats a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    const log = join(dir, 'app.log');
    const checkpointFile = join(dir, 'ckpt.json');
    await writeFile(log, lines(0, 100));
    const first = recorder();
    const a = createFileTailAgent({ files: join(dir, '*.log'), target: first.target, checkpointFile, pollIntervalMs: 10 });
    await a.start();
    await until(() => first.values.length === 100);
    await a.close();
    await appendFile(log, lines(100, 150));
    const second = recorder();
    const b = createFileTailAgent({ files: join(dir, '*.log'), target: second.target, checkpointFile, pollIntervalMs: 10 });
    await b.start();
    await until(() => second.values.length === 50);
    await b.close();
    expect(second.values).toEqual(lines(100, 150).trim().split('\n'));
  });

  it('retries retriable put failures, skips non-retriable ones and bad lines, and converts CSV to JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    const log = join(dir, 'clicks.csv');
    await writeFile(log, ['1;/home;"Doe; Jane"', '2;/cart', '3;/too-large;x', '4;/checkout;"Roe"'].join('\n') + '\n');
    const { values, target } = recorder((value, attempt) => {
      const id = (value as { id: string }).id;
      if (id === '1' && attempt < 3) return new KinesisActorsError('THROTTLED', 'slow down', { retriable: true });
      if (id === '3') return new KinesisActorsError('RECORD_TOO_LARGE', 'too large');
      return undefined;
    });
    const agent = createFileTailAgent({ files: log, target, checkpointFile: join(dir, 'ckpt.json'), pollIntervalMs: 10, format: { csv: { fieldNames: ['id', 'page', 'name'], delimiter: ';' } } });
    await agent.start();
    await until(() => values.length === 2);
    await agent.close();
    expect([...values].sort((a, b) => Number((a as { id: string }).id) - Number((b as { id: string }).id))).toEqual([
      { id: '1', page: '/home', name: 'Doe; Jane' },
      { id: '4', page: '/checkout', name: 'Roe' },
    ]);
    expect(agent.stats).toMatchObject({ linesRead: 4, linesPut: 2, linesFailed: 2, retries: 2 });
  });

  it('leaves a line that never went through unacknowledged, so the next start puts it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    const log = join(dir, 'app.log');
    const checkpointFile = join(dir, 'ckpt.json');
    await writeFile(log, 'ok-1\nstuck\nok-2\n');
    const down = recorder((value) => (String(value) === 'stuck' ? new KinesisActorsError('KINESIS_ERROR', 'unavailable', { retriable: true }) : undefined));
    const a = createFileTailAgent({ files: log, target: down.target, checkpointFile, pollIntervalMs: 10 });
    await a.start();
    await until(() => down.values.length === 2);
    await a.close();
    const up = recorder();
    const b = createFileTailAgent({ files: log, target: up.target, checkpointFile, pollIntervalMs: 10 });
    await b.start();
    await until(() => up.values.length === 2);
    await b.close();
    // At least once: the stuck line and the one after it (put, but past the gap) come again.
    expect(up.values).toEqual(['stuck', 'ok-2']);
  });

  it('closes while a periodic checkpoint write is under way: neither write fails, one checkpoint file is left', async () => {
    // Both writes would go through the same temporary file; whether they overlap depends on the
    // file system's pace, so the race is run 20 times.
    for (let i = 0; i < 20; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'tail-'));
      const checkpointFile = join(dir, 'ckpt.json');
      const clock = new SimulatedClock(0);
      const errors: string[] = [];
      const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
      const agent = createFileTailAgent({ files: join(dir, 'a.log'), target: recorder().target, checkpointFile, checkpointIntervalMs: 1_000, clock, logger });
      await agent.start();
      clock.advance(1_000); // the periodic write starts
      await agent.close(); // and close() writes the last one at once
      expect(errors).toEqual([]);
      expect(JSON.parse(await readFile(checkpointFile, 'utf8'))).toEqual({ version: 1, files: [] });
      expect(await readdir(dir)).toEqual(['ckpt.json']);
    }
  });

  it('refuses to start on a corrupt checkpoint file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    await writeFile(join(dir, 'ckpt.json'), '{"files": 7}');
    const agent = createFileTailAgent({ files: join(dir, 'a.log'), target: recorder().target, checkpointFile: join(dir, 'ckpt.json') });
    await expect(agent.start()).rejects.toMatchObject({ code: 'CHECKPOINT_FILE_CORRUPT' });
  });
});

describe('file tail agent with the producer against the embedded Kinesis', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  it('puts every line exactly once across a rotation and a graceful restart', async () => {
    const stream = randomName('tail');
    await createStream(stack.kinesis, stream, 2);
    const dir = await mkdtemp(join(tmpdir(), 'tail-'));
    const log = join(dir, 'events.log');
    const checkpointFile = join(dir, 'ckpt.json');
    const run = async (work: () => Promise<void>, expected: number) => {
      const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, recordMaxBufferedTime: 20 });
      const agent = createFileTailAgent({ files: log, target: producer, checkpointFile, pollIntervalMs: 20, format: 'json', partitionKey: (v) => `user-${(v as { id: number }).id % 10}` });
      await agent.start();
      await work();
      await until(() => agent.stats.linesPut === expected);
      await agent.close();
      await producer.close();
    };
    const json = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => JSON.stringify({ id: from + i }) + '\n').join('');
    await writeFile(log, json(0, 500));
    await run(async () => {
      await until(async () => (await readStream(stack.kinesis, stream)).records.length > 0);
      await appendFile(log, json(500, 700));
      await rename(log, `${log}.1`);
      await writeFile(log, json(700, 800));
    }, 800);
    await appendFile(log, json(800, 1000));
    await run(async () => {}, 200);
    const ids = (await readStream(stack.kinesis, stream)).records.map((r) => (JSON.parse(r.data.toString()) as { id: number }).id);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});
