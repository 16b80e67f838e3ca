import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { checkClient } from './check-worker.ts';
import { checkLeases, KILLED, DRAINED, phaseAt, phaseEnds, PHASES, workerStarts, type CheckScenario, type Phase } from './check-scenario.ts';
import type { WorkerCommand, WorkerReply, WorkerSnapshot } from './check-fleet-worker.ts';
import { ConsumedCapacityMeter, sumFigures, type ClientFigures } from './consumed-capacity-meter.ts';
import { CountingLeaseStore } from './counting-lease-store.ts';

/** What one phase of a fleet's run cost: per DynamoDB operation, and per lease store method and outcome. */
export interface PhaseFigures {
  phase: Phase;
  /** Real fleet: what the SDK clients sent and dynalite reported; simulated: calls and predicted units. */
  requests: ClientFigures;
  store: Record<string, number>;
  /** Requests dynalite received, by operation (retries included): a count independent of the clients (real fleet only). */
  server?: Record<string, number>;
}

export interface RealFleetRun {
  phases: PhaseFigures[];
  /** Round trips of the workers' requests, ms. */
  latencyMs: { mean: number; p50: number; p99: number; requests: number };
  /** Errors other than failed conditions, by name. */
  errorNames: Record<string, number>;
}

const TABLE = 'lease-check';

/**
 * Runs the check's scenario with a real fleet: dynalite in this process, each worker a process
 * of its own (check-fleet-worker.ts) with the real `DynamoDbLeaseStore` and SDK client. Every
 * client is metered, and dynalite's HTTP server counts the requests it gets on its own; all of
 * them file a request under the phase of the moment it was sent, so a busy machine that reads
 * the figures late does not move requests across phases.
 */
export async function runRealFleet(scenario: CheckScenario, log: (line: string) => void = () => {}): Promise<RealFleetRun> {
  let t0 = Infinity;
  const phaseOf = () => phaseAt(scenario, Date.now() - t0);
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const received: Record<string, Record<string, number>> = {};
  server.on('request', (request) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '?';
    const counts = (received[phaseOf()] ??= {});
    counts[operation] = (counts[operation] ?? 0) + 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = checkClient(endpoint);
  const meter = new ConsumedCapacityMeter(phaseOf);
  meter.attach(client);
  const shardSync = new CountingLeaseStore(new DynamoDbLeaseStore(client, TABLE), phaseOf);
  await shardSync.ensureTable();

  const workers = new Map<string, ChildProcess>();
  const snapshots = new Map<string, WorkerSnapshot>();
  let nextId = 0;
  // A worker that dies unasked fails the run rather than leaving it waiting for a reply.
  const ask = (child: ChildProcess, type: 'snapshot' | 'drain' | 'stop') =>
    new Promise<WorkerReply>((resolve, reject) => {
      const id = nextId++;
      const exited = (code: number | null) => reject(new Error(`a worker process exited (${code}) before it answered ${type}`));
      const listener = (reply: WorkerReply) => {
        if ('id' in reply && reply.id === id) {
          child.off('message', listener);
          child.off('exit', exited);
          resolve(reply);
        }
      };
      child.on('message', listener);
      child.once('exit', exited);
      child.send({ type, id } satisfies WorkerCommand);
    });
  const latencies: number[] = [];
  const snapshot = async (id: string) => {
    const reply = (await ask(workers.get(id)!, 'snapshot')) as WorkerSnapshot;
    snapshots.set(id, reply);
    for (const ms of reply.latencyMs) latencies.push(ms);
  };
  const timers: NodeJS.Timeout[] = [];
  const at = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + ms - Date.now())));

  try {
    const starts = workerStarts(scenario);
    await Promise.all(
      starts.map(({ id, seed }) => {
        const child = fork(new URL('./check-fleet-worker.ts', import.meta.url), [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, DYNAMODB_ENDPOINT: endpoint, TABLE, WORKER_ID: id, SEED: String(seed) },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        workers.set(id, child);
        return new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before it was ready`)));
        });
      }),
    );
    log(`  ${workers.size} worker processes ready`);
    t0 = Date.now();
    for (const { id, atMs } of starts) timers.push(setTimeout(() => workers.get(id)?.send({ type: 'start', t0, scenario } satisfies WorkerCommand), atMs));
    await Promise.all(checkLeases(scenario).map((lease) => shardSync.createLeaseIfNotExists(lease)));

    const [steady, drained, killed] = phaseEnds(scenario);
    await at(steady);
    log(`  ${PHASES[0]} ends; ${DRAINED} drains`);
    const draining = ask(workers.get(DRAINED)!, 'drain');
    draining.catch(() => undefined);
    await at(drained);
    log(`  ${PHASES[1]} ends; ${KILLED} is killed`);
    await snapshot(KILLED);
    workers.get(KILLED)!.kill('SIGKILL');
    workers.delete(KILLED);
    await at(killed);
    log(`  ${PHASES[2]} ends`);
    await draining;
    await Promise.all([...workers.keys()].map(snapshot));
    const phases = PHASES.map((phase) => ({
      phase,
      requests: sumFigures([meter.byPhase[phase] ?? {}, ...[...snapshots.values()].map((s) => s.sdk[phase] ?? {})]),
      store: sumCounts([shardSync.byPhase[phase] ?? {}, ...[...snapshots.values()].map((s) => s.store[phase] ?? {})]),
      server: { ...received[phase] },
    }));
    const errorNames = sumCounts([meter.errorNames, ...[...snapshots.values()].map((s) => s.errorNames)]);
    return { phases, latencyMs: summarize(latencies), errorNames };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await Promise.all([...workers.values()].map((child) => (child.connected ? ask(child, 'stop').catch(() => undefined) : undefined)));
    for (const child of workers.values()) child.kill('SIGKILL');
    client.destroy();
    await new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  }
}

/** Adds counts up; `minus` is taken away (counts between two readings). */
export function sumCounts(all: readonly Record<string, number>[], minus: Record<string, number> = {}): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of all) for (const [key, n] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + n;
  for (const [key, n] of Object.entries(minus)) sum[key] = (sum[key] ?? 0) - n;
  for (const key of Object.keys(sum)) if (sum[key] === 0) delete sum[key];
  return sum;
}

function summarize(ms: number[]): RealFleetRun['latencyMs'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return { mean, p50: at(0.5), p99: at(0.99), requests: sorted.length };
}
