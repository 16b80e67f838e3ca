import { afterEach, describe, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { LeaseTelemetry } from '../../../src/leases/lease-telemetry.ts';
import { registerTestMeterProvider } from '../telemetry/test-reader.ts';

let sdk: ReturnType<typeof registerTestMeterProvider> | undefined;
afterEach(async () => {
  await sdk?.disable();
  sdk = undefined;
});

describe('LeaseTelemetry', () => {
  it("reports the KCL's LeaseTaker and LeaseRenewer metrics per WorkerIdentifier and Operation", async () => {
    sdk = registerTestMeterProvider();
    let held = 3;
    const telemetry = new LeaseTelemetry('worker-1', () => held);
    const taking = { WorkerIdentifier: 'worker-1', Operation: 'TakeLeases' };
    const renewing = { WorkerIdentifier: 'worker-1', Operation: 'RenewAllLeases' };
    expect(await sdk.reader.value('NumWorkers')).toBeUndefined();
    telemetry.scanned(8, 2);
    telemetry.taken();
    telemetry.taken();
    telemetry.lost();
    telemetry.takeRound(30);
    telemetry.renewRound(12);
    expect(await sdk.reader.value('TakenLeases', taking)).toBe(2);
    expect(await sdk.reader.value('LostLeases', renewing)).toBe(1);
    expect(await sdk.reader.value('NumWorkers', taking)).toBe(2);
    expect(await sdk.reader.value('TotalLeases', taking)).toBe(8);
    expect(await sdk.reader.value('CurrentLeases', renewing)).toBe(3);
    expect(((await sdk.reader.value('LeaseTaker.Time', taking)) as Histogram).sum).toBe(30);
    expect(((await sdk.reader.value('LeaseRenewer.Time', renewing)) as Histogram).sum).toBe(12);
    held = 1;
    expect(await sdk.reader.value('CurrentLeases', renewing)).toBe(1);
    telemetry.close();
    held = 5;
    expect(await sdk.reader.value('CurrentLeases', renewing)).toBe(1);
  });
});
