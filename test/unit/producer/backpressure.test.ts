import { describe, expect, it } from 'vitest';
import { Admission, type AdmissionLimits } from '../../../src/producer/backpressure.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

interface Put {
  id: number;
  size: number;
  arrivedAt: number;
}

function line(limits: Partial<AdmissionLimits>) {
  const clock = new SimulatedClock(1_000);
  const admitted: number[] = [];
  const turnedAway: { id: number; error: KinesisActorsError }[] = [];
  const admission = new Admission<Put>(
    { maxOutstandingRecords: 100, maxOutstandingBytes: 1000, backpressure: 'wait', maxWaitingBytes: 1000, maxBackpressureWaitMs: 60_000, ...limits },
    clock,
    { admit: (put) => admitted.push(put.id), turnAway: (put, error) => turnedAway.push({ id: put.id, error }) },
  );
  let nextId = 1;
  const put = (size: number): Put => ({ id: nextId++, size, arrivedAt: clock.now() });
  return { clock, admission, admitted, turnedAway, put };
}

function rejection(run: () => void): KinesisActorsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KinesisActorsError);
    return error as KinesisActorsError;
  }
  return expect.unreachable('no BACKPRESSURE error');
}

describe('Admission', () => {
  it('admits until a limit, then queues in order and admits as room frees', () => {
    const { admission, admitted, put } = line({ maxOutstandingRecords: 2 });
    for (const size of [10, 10]) {
      expect(admission.hasRoom(size)).toBe(true);
      admission.acquire(size);
    }
    expect(admission.hasRoom(10)).toBe(false);
    admission.wait(put(10));
    admission.wait(put(10));
    expect(admission.waiting).toBe(2);
    admission.release(10);
    expect(admitted).toEqual([1]);
    admission.release(10);
    expect(admitted).toEqual([1, 2]);
    expect(admission.records).toBe(2);
  });

  it('bounds bytes as well as records', () => {
    const { admission } = line({ maxOutstandingBytes: 100 });
    admission.acquire(90);
    expect(admission.hasRoom(20)).toBe(false);
    expect(admission.hasRoom(10)).toBe(true);
  });

  it("rejects with a retriable BACKPRESSURE error in 'reject' mode", () => {
    const { admission, put } = line({ maxOutstandingRecords: 1, backpressure: 'reject' });
    admission.acquire(1);
    const error = rejection(() => admission.wait(put(1)));
    expect(error.code).toBe('BACKPRESSURE');
    expect(error.retriable).toBe(true);
  });

  it("caps the waiting line in puts in 'wait' mode", () => {
    const { admission, put } = line({ maxOutstandingRecords: 1 });
    admission.acquire(1);
    admission.wait(put(1));
    expect(() => admission.wait(put(1))).toThrow(/maxOutstandingRecords/);
  });

  it("caps the waiting line in bytes in 'wait' mode, and takes puts again as it empties", () => {
    const { admission, admitted, put } = line({ maxOutstandingBytes: 100, maxWaitingBytes: 50 });
    admission.acquire(100);
    admission.wait(put(30));
    const error = rejection(() => admission.wait(put(30)));
    expect(error.code).toBe('BACKPRESSURE');
    expect(error.retriable).toBe(true);
    expect(error.message).toContain('options.maxWaitingBytes (50)');
    admission.wait(put(20));
    expect(admission.waitingBytes).toBe(50);
    expect(admission.waiting).toBe(2);

    admission.release(100);
    expect(admitted).toEqual([1, 3]);
    expect(admission.waitingBytes).toBe(0);
    admission.wait(put(50));
    expect(admission.waitingBytes).toBe(50);
  });

  it('turns a put away once it has waited maxBackpressureWaitMs, each from its own put()', () => {
    const { clock, admission, admitted, turnedAway, put } = line({ maxOutstandingBytes: 10, maxBackpressureWaitMs: 1_000 });
    admission.acquire(10);
    admission.wait(put(10));
    clock.advance(500);
    admission.wait(put(10));
    clock.advance(499);
    expect(turnedAway).toEqual([]);
    clock.advance(1);
    expect(turnedAway.map((t) => t.id)).toEqual([1]);
    const error = turnedAway[0].error;
    expect(error.code).toBe('BACKPRESSURE');
    expect(error.retriable).toBe(true);
    expect(error.message).toContain('options.maxBackpressureWaitMs (1000 ms)');
    expect(admission.waiting).toBe(1);
    expect(admission.waitingBytes).toBe(10);

    clock.advance(500);
    expect(turnedAway.map((t) => t.id)).toEqual([1, 2]);
    expect(admission.waiting).toBe(0);
    expect(admission.waitingBytes).toBe(0);
    // Room that frees later admits nobody who was turned away.
    admission.release(10);
    expect(admitted).toEqual([]);
    expect(admission.records).toBe(0);
  });

  it('admits a put before its wait is up, and leaves no timer once the line is empty', () => {
    const { clock, admission, admitted, turnedAway, put } = line({ maxOutstandingBytes: 10, maxBackpressureWaitMs: 1_000 });
    admission.acquire(10);
    admission.wait(put(10));
    expect(clock.pending).toBe(1);
    clock.advance(999);
    admission.release(10);
    expect(admitted).toEqual([1]);
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(turnedAway).toEqual([]);
  });
});
