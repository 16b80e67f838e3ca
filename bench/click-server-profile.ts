/**
 * Where the click-capture server's thread spends each request, with the producer and with a
 * no-op in its place: each server in a process of its own under `node --cpu-prof`, loaded in
 * turn by `bench/http-load.ts` (32 connections), against the null endpoint (4 shards, a process
 * of its own) so that no emulator shares the machine's work. Prints, per mode, requests/s and
 * the thread's busy wall-clock µs per request over the load, by where the time went; the
 * profiles stay in `--out` for a closer look.
 *
 *   npx tsx bench/click-server-profile.ts [--seconds 8] [--out /tmp/click-server-profile]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNullKinesis } from '../src/testing/index.ts';
import { runJsonChild, startServerChild } from './child.ts';
import type { ClickServerMode } from './click-server-child.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's time is counted: the producer's parts by name, the rest by package or Node module. */
function areaOf(functionName: string, url: string): string {
  if (functionName === 'writev') return 'socket writes (writev)';
  if (!url) return functionName.startsWith('(') ? functionName : 'other native';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (dependency !== undefined) return dependency.startsWith('@smithy/') || dependency.startsWith('@aws-sdk/') ? 'AWS SDK' : dependency;
  const own = /\/src\/([^/]+)\//.exec(url)?.[1];
  if (own !== undefined) return `kinesis-actors ${own}`;
  if (url.startsWith('node:')) return 'Node (JavaScript)';
  return url.includes('/examples/') ? 'the route' : 'other';
}

/** Busy µs of the profile's thread between `from` and `to` (monotonic µs), by area. */
function busyByArea(profile: CpuProfile, from: number, to: number): Map<string, number> {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const busy = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (at < from || at >= to) continue;
    const frame = nodes.get(profile.samples[i])!;
    if (frame.functionName === '(idle)') continue;
    const area = areaOf(frame.functionName, frame.url);
    busy.set(area, (busy.get(area) ?? 0) + profile.timeDeltas[i]);
  }
  return busy;
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, out: { type: 'string', default: '/tmp/click-server-profile' } } });
const seconds = Number(values.seconds);
const endpoint = await startNullKinesis(4, { ownProcess: true });
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
try {
  for (const mode of ['noop', 'producer'] satisfies ClickServerMode[]) {
    const dir = join(values.out, mode);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const server = await startServerChild<{ url: string }>('./click-server-child.ts', [mode, endpoint.endpoint, 'bench'], { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    const from = monotonicMicros();
    const load = await runJsonChild<{ rps: number[] }>('./http-load.ts', [`${server.ready.url}/click`, 32, 1, seconds]);
    const to = monotonicMicros();
    await server.stop();
    // The load generator's warm-up slice and the pauses between slices fall in the window too:
    // requests are counted over the window at the measured rate, a slight overcount.
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const busy = busyByArea(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, from, to);
    const requests = load.rps[0] * ((to - from) / 1e6);
    const total = [...busy.values()].reduce((a, b) => a + b, 0);
    const perRequest = Object.fromEntries([...busy].sort((a, b) => b[1] - a[1]).map(([area, us]) => [area, Number((us / requests).toFixed(2))]));
    process.stdout.write(JSON.stringify({ mode, rps: load.rps[0], busyUsPerRequest: Number((total / requests).toFixed(1)), byArea: perRequest, profile: join(dir, file) }) + '\n');
  }
} finally {
  await endpoint.close();
}
