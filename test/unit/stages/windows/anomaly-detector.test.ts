import { describe, expect, it } from 'vitest';
import { anomalyDetector } from '../../../../src/stages/windows/anomaly-detector.ts';
import type { AnomalyDetectorOptions } from '../../../../src/stages/windows/anomaly-options.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Reading = { sensor: string; celsius: number };
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const reading = (ms: number, sensor: string, celsius: number): StreamItem<Reading> => ({ value: { sensor, celsius }, partitionKey: sensor, eventTime: T0 + ms });
const detector = (options: Partial<AnomalyDetectorOptions<Reading>> = { threshold: 10 }) =>
  anomalyDetector<Reading>({ key: (i) => i.value.sensor, value: (i) => i.value.celsius, ...options });
/** One reading a second from `from` ms: 19, 20, 21, 19, … */
const noise = (sensor: string, from: number, count: number) => Array.from({ length: count }, (_, i) => reading(from + i * 1000, sensor, 20 + (i % 3) - 1));

describe('anomalyDetector', () => {
  it('alerts on a spike within 10 s of normal readings, not on the noise', async () => {
    const stage = detector();
    const h = stageHarness(stage);
    expect((await h.process([...noise('s1', 0, 8), ...noise('s2', 0, 8)])).output).toEqual([]);
    const { output } = await h.process([reading(8_500, 's1', 45), reading(8_500, 's2', 21)]);
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ partitionKey: 's1', eventTime: T0 + 8_500 });
    expect(output[0].value).toMatchObject({ key: 's1', value: 45, at: T0 + 8_500, reading: { sensor: 's1', celsius: 45 } });
    expect(output[0].value.mean).toBeCloseTo(159 / 8, 6);
    expect(output[0].value.deviation).toBeCloseTo(45 - 159 / 8, 6);
    expect(output[0].value.stdDev).toBeGreaterThan(0);
    expect(stage.stats.alerts).toBe(1);
  });

  it('waits for minSamples readings in the window', async () => {
    const h = stageHarness(detector({ threshold: 10, minSamples: 5 }));
    await h.process(noise('s1', 0, 4));
    expect((await h.process([reading(4_000, 's1', 60)])).output).toEqual([]);
    expect((await h.process([reading(5_000, 's1', 90)])).output).toHaveLength(1);
  });

  it('compares only with readings inside the window: older ones expire', async () => {
    const h = stageHarness(detector());
    // A hot minute long gone, then normal readings: the old ones must not weigh on the mean.
    await h.process([reading(0, 's1', 100), reading(1_000, 's1', 100), reading(2_000, 's1', 100)]);
    await h.process(noise('s1', 12_000, 3));
    expect((await h.process([reading(14_500, 's1', 22)])).output).toEqual([]);
    expect(h.snapshot()?.s1.map(([at]) => at - T0)).toEqual([12_000, 13_000, 14_000, 14_500]);
    // 20 s later the window holds nothing: too few samples to judge.
    expect((await h.process([reading(34_500, 's1', 60)])).output).toEqual([]);
  });

  it('uses standard deviations when asked', async () => {
    const h = stageHarness(detector({ thresholdStdDevs: 3 }));
    await h.process(noise('s1', 0, 9));
    // The noise has a spread of about 0.8: 22 is within 3 deviations, 30 is not.
    expect((await h.process([reading(9_100, 's1', 22)])).output).toEqual([]);
    const [alert] = (await h.process([reading(9_200, 's1', 30)])).output;
    expect(alert.value.stdDev).toBeGreaterThan(0.7);
    expect(Math.abs(alert.value.deviation) / alert.value.stdDev).toBeGreaterThan(3);
  });

  it('compares an out-of-order reading with its own past, and skips readings older than the window', async () => {
    const stage = detector();
    const h = stageHarness(stage);
    await h.process([...noise('s1', 0, 3), reading(5_000, 's1', 90)]);
    // At 2.5 s the past is 19, 20, 21 (the 90 is later): 22 is normal, 40 is a spike.
    expect((await h.process([reading(2_500, 's1', 22)])).output).toEqual([]);
    expect((await h.process([reading(2_600, 's1', 40)])).output).toHaveLength(1);
    expect((await h.process([reading(20_000, 's1', 20), reading(9_000, 's1', 500)])).output).toEqual([]);
    expect(stage.stats.late).toBe(1);
    await h.process([{ value: { sensor: 's1', celsius: 20 }, partitionKey: 's1' }, reading(21_000, 's1', Number.NaN)]);
    expect(stage.stats.invalid).toBe(2);
  });

  it('keeps its windows across a restart from the checkpointed state, alerting as an uninterrupted run', async () => {
    const readings = [...noise('s1', 0, 12), reading(12_000, 's1', 50), ...noise('s1', 13_000, 5), reading(18_500, 's1', -5)];
    const batches = Array.from({ length: Math.ceil(readings.length / 3) }, (_, b) => readings.slice(b * 3, b * 3 + 3));
    const uninterrupted = stageHarness(detector());
    const expected = [];
    for (const batch of batches) expected.push(...(await uninterrupted.process(batch)).output);
    expect(expected.map((a) => a.value.value)).toEqual([50, -5]);

    const got = [];
    let h = stageHarness(detector());
    for (const batch of batches) {
      got.push(...(await h.process(batch)).output);
      h = stageHarness(detector(), { state: h.snapshot() });
    }
    expect(got).toEqual(expected);
  });

  it('forgets a key not seen for windowMs of processing time', async () => {
    const clock = new SimulatedClock(T0);
    const h = stageHarness(detector(), { clock });
    await h.process([...noise('s1', 0, 3), ...noise('s2', 0, 3)]);
    clock.advance(6_000);
    await h.process([reading(3_000, 's2', 20)]);
    clock.advance(4_000);
    await h.tick();
    expect(Object.keys(h.snapshot()!)).toEqual(['s2']);
  });

  it('refuses bad options by name', () => {
    const base = { key: (i: StreamItem<Reading>) => i.value.sensor, value: (i: StreamItem<Reading>) => i.value.celsius };
    expect(() => anomalyDetector(undefined as never)).toThrow(/must be an object with key, value and a threshold/);
    expect(() => anomalyDetector({ ...base })).toThrow(/options.threshold or options.thresholdStdDevs must be given/);
    expect(() => anomalyDetector({ ...base, threshold: 1, thresholdStdDevs: 2 })).toThrow(/and not both/);
    expect(() => anomalyDetector({ ...base, threshold: -1 })).toThrow(/options.threshold must be a positive number/);
    expect(() => anomalyDetector({ ...base, thresholdStdDevs: Number.POSITIVE_INFINITY })).toThrow(/options.thresholdStdDevs must be a positive number/);
    expect(() => anomalyDetector({ ...base, threshold: 1, windowMs: 0 })).toThrow(/options.windowMs must be an integer ≥ 1/);
    expect(() => anomalyDetector({ ...base, threshold: 1, minSamples: 0 })).toThrow(/options.minSamples must be a positive integer/);
    expect(() => anomalyDetector({ ...base, threshold: 1, eventTime: 'at' as never })).toThrow(/options.eventTime must be a function/);
    expect(() => anomalyDetector({ ...base, key: undefined as never, threshold: 1 })).toThrow(/options.key must be a function/);
    expect(() => anomalyDetector({ ...base, value: 'celsius' as never, threshold: 1 })).toThrow(/options.value must be a function/);
    expect(() => anomalyDetector({ ...base, threshold: 1, name: '' })).toThrow(/options.stage.name/);
  });
});
