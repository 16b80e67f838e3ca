import { describe, expect, it } from 'vitest';
import { Admission } from '../../../src/producer/backpressure.ts';
import { KinesisActorsError } from '../../../src/errors.ts';

describe('Admission', () => {
  it('admits until a limit, then queues in order and admits as room frees', () => {
    const admission = new Admission(2, 1000, 'wait');
    const admitted: number[] = [];
    for (const size of [10, 10]) {
      expect(admission.hasRoom(size)).toBe(true);
      admission.acquire(size);
    }
    expect(admission.hasRoom(10)).toBe(false);
    admission.wait(10, () => admitted.push(1));
    admission.wait(10, () => admitted.push(2));
    expect(admission.waiting).toBe(2);
    admission.release(10);
    expect(admitted).toEqual([1]);
    admission.release(10);
    expect(admitted).toEqual([1, 2]);
    expect(admission.records).toBe(2);
  });

  it('bounds bytes as well as records', () => {
    const admission = new Admission(100, 100, 'wait');
    admission.acquire(90);
    expect(admission.hasRoom(20)).toBe(false);
    expect(admission.hasRoom(10)).toBe(true);
  });

  it("rejects with a retriable BACKPRESSURE error in 'reject' mode", () => {
    const admission = new Admission(1, 100, 'reject');
    admission.acquire(1);
    try {
      admission.wait(1, () => {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KinesisActorsError);
      expect((error as KinesisActorsError).code).toBe('BACKPRESSURE');
      expect((error as KinesisActorsError).retriable).toBe(true);
    }
  });

  it("caps the waiting line in 'wait' mode", () => {
    const admission = new Admission(1, 100, 'wait');
    admission.acquire(1);
    admission.wait(1, () => {});
    expect(() => admission.wait(1, () => {})).toThrow(/maxOutstandingRecords/);
  });
});
