import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deliverySink } from '../../../../src/stages/sink/delivery-sink.ts';
import { SinkDeliveryError } from '../../../../src/stages/sink/errors.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';
import { controlledDestination, linesOf, memoryDestination, settle } from './fakes.ts';

const START = Date.UTC(2026, 0, 1);
const item = (value: unknown): StreamItem => ({ value, partitionKey: 'pk' });
/** `"ab"` is 4 bytes, 5 with its newline. */
const items = (...values: string[]) => values.map(item);

describe('deliverySink', () => {
  it('writes an object once the buffer reaches bufferSizeBytes, never splitting a batch', async () => {
    const destination = controlledDestination();
    const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 12, bufferIntervalMs: 60_000 }));
    expect((await h.process(items('ab'))).output).toEqual([]);
    await h.process(items('cd'));
    await settle();
    expect(destination.writes).toHaveLength(0);

    await h.process(items('ef')); // 15 bytes would pass 12: the first two batches go out alone
    const first = await destination.next();
    expect(linesOf(first.body)).toEqual(['"ab"', '"cd"']);

    await h.process(items('gh', 'ij')); // 5 + 10 > 12: seals "ef", then 10 < 12 stays open
    await h.process(items('kl')); // 10 + 5 > 12: seals "gh","ij"
    await h.process(items('mn', 'op', 'qr')); // 15 ≥ 12 on its own: sealed at once
    first.resolve();
    const texts = [];
    for (let i = 0; i < 3; i++) {
      const write = await destination.next();
      texts.push(linesOf(write.body));
      write.resolve();
    }
    expect(texts).toEqual([['"ef"'], ['"gh"', '"ij"'], ['"kl"']]);
    await h.close();
  });

  it('writes an object bufferIntervalMs after its first record when the size is not reached', async () => {
    const destination = controlledDestination();
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 1024, bufferIntervalMs: 1000 }), { clock });
    await h.process(items('ab'));
    clock.advance(500);
    await h.process(items('cd'));
    clock.advance(499);
    await settle();
    expect(destination.writes).toHaveLength(0);

    clock.advance(1);
    const write = await destination.next();
    expect(linesOf(write.body)).toEqual(['"ab"', '"cd"']);
    write.resolve();

    // A new buffer starts its own interval with its first record.
    await h.process(items('ef'));
    clock.advance(999);
    await settle();
    expect(destination.writes).toHaveLength(1);
    clock.advance(1);
    expect(linesOf((await destination.next()).body)).toEqual(['"ef"']);
    await h.close();
  });

  it('releases the holds of a buffer only once its write resolves, and writes buffers one at a time in order', async () => {
    const destination = controlledDestination();
    const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 10 }));
    const a = await h.process(items('ab'));
    const b = await h.process(items('cd')); // 10 bytes: sealed
    await h.process(items('ef', 'gh')); // sealed, but waits for the first write
    expect(a.holds).toHaveLength(1);
    expect(b.holds).toHaveLength(1);
    const first = await destination.next();
    await settle();
    expect(destination.writes).toHaveLength(1);
    expect(h.openHolds()).toBe(3);

    first.resolve();
    const second = await destination.next();
    expect(h.openHolds()).toBe(1);
    expect(linesOf(second.body)).toEqual(['"ef"', '"gh"']);
    second.resolve();
    await settle();
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toEqual([]);
    await h.close();
  });

  it('writes gzip objects ending in .gz that decompress to the lines', async () => {
    const destination = memoryDestination();
    const h = stageHarness(deliverySink({ destination, compression: 'gzip' }));
    await h.process([item({ path: '/a', n: 1 }), item({ path: '/b', n: 2 })]);
    await h.flush();
    const [[key, body]] = [...destination.objects];
    expect(key).toMatch(/\.gz$/);
    expect(gunzipSync(body).toString('utf8')).toBe('{"path":"/a","n":1}\n{"path":"/b","n":2}\n');
    expect(h.openHolds()).toBe(0);
  });

  it('names objects ${prefix}YYYY/MM/DD/HH/${name}-yyyy-MM-dd-HH-mm-ss-random in UTC of the buffer opening', async () => {
    const destination = memoryDestination();
    const clock = new SimulatedClock(Date.UTC(2026, 2, 5, 23, 59, 58));
    const h = stageHarness(deliverySink({ destination, name: 'clicks', prefix: 'raw/clicks/', bufferIntervalMs: 5000 }), { clock });
    await h.process(items('ab'));
    clock.advance(3000); // past midnight: the object still belongs to the hour it was opened in
    await h.flush();
    const [key] = destination.objects.keys();
    expect(key).toMatch(/^raw\/clicks\/2026\/03\/05\/23\/clicks-2026-03-05-23-59-58-[0-9a-f-]{36}$/);
  });

  it('uses a custom serializer, one line per item', async () => {
    const destination = memoryDestination();
    const h = stageHarness(deliverySink({ destination, serialize: (i) => `${i.partitionKey}:${String(i.value)}` }));
    await h.process(items('x', 'y'));
    await h.flush();
    expect(linesOf([...destination.objects.values()][0])).toEqual(['pk:x', 'pk:y']);
  });

  it('retries a failing write for retryDurationMs, then writes the records under errorPrefix with the reason', async () => {
    const failure = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    const destination = memoryDestination((key) => (key.startsWith('errors/') ? undefined : failure));
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 5, retryDurationMs: 2000 }), { clock });
    await h.process(items('ab'));
    for (let i = 0; i < 10 && destination.objects.size === 0; i++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    const dataAttempts = destination.attempts.filter((key) => !key.startsWith('errors/'));
    expect(dataAttempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dataAttempts).size).toBe(1); // the same object, tried again
    const [[key, body]] = [...destination.objects];
    expect(key).toMatch(/^errors\/2026\/01\/01\/00\/sink-2026-01-01-00-00-0\d-/);
    const [line] = linesOf(body).map((l) => JSON.parse(l));
    expect(line).toEqual({
      attemptsMade: dataAttempts.length,
      errorCode: 'EIO',
      errorMessage: 'disk on fire',
      rawData: Buffer.from('"ab"').toString('base64'),
      timestamp: expect.any(Number),
    });
    expect(line.timestamp).toBeGreaterThanOrEqual(START + 2000);
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toEqual([]);
  });

  it('with retryDurationMs 0 tries once; when the error write fails too, fails the holds with a SinkDeliveryError', async () => {
    const destination = memoryDestination(() => new Error('bucket gone'));
    const h = stageHarness(deliverySink({ destination, retryDurationMs: 0 }));
    const { holds } = await h.process(items('ab', 'cd'));
    await h.process(items('ef'));
    await h.flush();
    expect(destination.attempts).toHaveLength(2);
    expect(destination.attempts[1]).toMatch(/^errors\//);
    expect(holds).toHaveLength(1);
    expect(h.openHolds()).toBe(0);
    expect(h.failures).toHaveLength(2);
    const error = h.failures[0] as SinkDeliveryError;
    expect(error).toBeInstanceOf(SinkDeliveryError);
    expect(error.code).toBe('SINK_DELIVERY_FAILED');
    expect(error.attemptsMade).toBe(1);
    expect(error.key).toBe(destination.attempts[0]);
    expect(error.message).toContain('bucket gone');
    expect((error.cause as Error).message).toBe('bucket gone');
  });

  it('does not retry a TypeError from the destination', async () => {
    const destination = memoryDestination((key) => (key.startsWith('errors/') ? undefined : new TypeError('bad body')));
    const h = stageHarness(deliverySink({ destination, retryDurationMs: 60_000 }));
    await h.process(items('ab'));
    await h.flush();
    expect(destination.attempts).toHaveLength(2);
    expect(JSON.parse(linesOf([...destination.objects.values()][0])[0])).toMatchObject({ attemptsMade: 1, errorCode: 'TypeError' });
  });

  it('flush writes the open buffer and resolves only once every write is durable', async () => {
    const destination = controlledDestination();
    const h = stageHarness(deliverySink({ destination }));
    await h.process(items('ab'));
    let flushed = false;
    const flushing = h.flush().then((result) => {
      flushed = true;
      return result;
    });
    const write = await destination.next();
    await settle();
    expect(flushed).toBe(false);
    expect(h.openHolds()).toBe(1);
    write.resolve();
    expect((await flushing).output).toEqual([]);
    expect(h.openHolds()).toBe(0);
    expect((await h.flush()).output).toEqual([]); // nothing buffered: nothing written
    expect(destination.writes).toHaveLength(1);
  });

  it('close clears the interval timer and leaves unwritten batches held', async () => {
    const destination = controlledDestination();
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, bufferIntervalMs: 1000 }), { clock });
    await h.process(items('ab'));
    expect(clock.pending).toBe(1);
    await h.close();
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    await settle();
    expect(destination.writes).toHaveLength(0);
    expect(h.openHolds()).toBe(1);
    expect(h.failures).toEqual([]);
  });

  it('close stops retrying without failing or releasing the holds', async () => {
    const destination = memoryDestination(() => new Error('down'));
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, bufferSizeBytes: 5 }), { clock });
    await h.process(items('ab'));
    for (let i = 0; i < 10 && clock.pending === 0; i++) await settle();
    expect(clock.pending).toBe(1); // waiting to retry
    await h.close();
    expect(clock.pending).toBe(0);
    await settle();
    expect(destination.attempts).toHaveLength(1);
    expect(h.openHolds()).toBe(1);
    expect(h.failures).toEqual([]);
  });

  it('tick seals a buffer whose interval has passed', async () => {
    const destination = memoryDestination();
    const clock = new SimulatedClock(START);
    const h = stageHarness(deliverySink({ destination, bufferIntervalMs: 1000 }), { clock });
    await h.process(items('ab'));
    await h.tick(START + 999);
    await settle();
    expect(destination.attempts).toHaveLength(0);
    await h.tick(START + 1000);
    await settle();
    expect(destination.attempts).toHaveLength(1);
  });
});
