import { describe, expect, it } from 'vitest';
import { anomalyDetector } from '../../../../src/actors/windows/anomaly-detector.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Reading = { sensor: string; celsius: number };
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const reading = (ms: number, sensor: string, celsius: number): StreamItem<Reading> => ({ value: { sensor, celsius }, partitionKey: sensor, eventTime: T0 + ms });
const detector = (options: { threshold?: number; thresholdStdDevs?: number } = { threshold: 10 }) =>
  anomalyDetector<Reading>({ key: (i) => i.value.sensor, value: (i) => i.value.celsius, ...options });
const noise = (sensor: string, from: number, count: number) => Array.from({ length: count }, (_, i) => reading(from + i * 1000, sensor, 20 + (i % 3) - 1));

describe('anomalyDetector', () => {
  it('alerts on a spike within 10 s of normal readings, not on the noise', async () => {
    const h = stageHarness(detector());
    expect((await h.process([...noise('s1', 0, 8), ...noise('s2', 0, 8)])).output).toEqual([]);
    const { output } = await h.process([reading(8_500, 's1', 45), reading(8_500, 's2', 21)]);
    expect(output).toHaveLength(1);
    expect(output[0].value).toMatchObject({ key: 's1', value: 45, at: T0 + 8_500 });
    expect(output[0].value.deviation).toBeCloseTo(25, 0);
    expect(output[0].partitionKey).toBe('s1');
  });

  it('compares only with readings inside the window, and waits for minSamples', async () => {
    const h = stageHarness(detector());
    await h.process(noise('s1', 0, 3));
    // 20 s later the old readings are out of the 10 s window: too few samples to judge.
    expect((await h.process([reading(30_000, 's1', 60)])).output).toEqual([]);
  });

  it('uses standard deviations when asked', async () => {
    const h = stageHarness(detector({ thresholdStdDevs: 3 }));
    await h.process(noise('s1', 0, 9));
    expect((await h.process([reading(9_100, 's1', 22)])).output).toEqual([]);
    expect((await h.process([reading(9_200, 's1', 30)])).output).toHaveLength(1);
  });

  it('keeps its windows across a restart from the checkpointed state', async () => {
    const stage = detector();
    const before = stageHarness(stage);
    await before.process(noise('s1', 0, 5));
    const after = stageHarness(stage, { state: before.snapshot() });
    expect((await after.process([reading(5_500, 's1', 50)])).output).toHaveLength(1);
  });

  it('refuses bad options by name', () => {
    const base = { key: (i: StreamItem<Reading>) => i.value.sensor, value: (i: StreamItem<Reading>) => i.value.celsius };
    expect(() => anomalyDetector({ ...base })).toThrow(/options.threshold or options.thresholdStdDevs must be given/);
    expect(() => anomalyDetector({ ...base, threshold: 1, thresholdStdDevs: 2 })).toThrow(/and not both/);
    expect(() => anomalyDetector({ ...base, threshold: -1 })).toThrow(/options.threshold must be a positive number/);
    expect(() => anomalyDetector({ ...base, threshold: 1, windowMs: 0 })).toThrow(/options.windowMs/);
    expect(() => anomalyDetector({ ...base, key: undefined as never, threshold: 1 })).toThrow(/options.key must be a function/);
  });
});
