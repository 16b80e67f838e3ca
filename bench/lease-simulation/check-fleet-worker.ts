/**
 * One worker of the billing check's real fleet, a child process of check-real-fleet.ts: the
 * real coordinator over the real `DynamoDbLeaseStore` and SDK client against dynalite, with its
 * client metered. Driven over IPC: start, snapshot (its figures so far, per phase), drain, stop.
 *
 * env: DYNAMODB_ENDPOINT, TABLE, WORKER_ID, SEED
 */
import { systemClock } from '../../src/internal/clock.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { phaseAt, type CheckScenario } from './check-scenario.ts';
import { checkClient, checkWorker } from './check-worker.ts';
import { ConsumedCapacityMeter, type ClientFigures } from './consumed-capacity-meter.ts';
import { CountingLeaseStore } from './counting-lease-store.ts';

export type WorkerCommand =
  | { type: 'start'; t0: number; scenario: CheckScenario }
  | { type: 'snapshot'; id: number }
  | { type: 'drain'; id: number }
  | { type: 'stop'; id: number };

export interface WorkerSnapshot {
  type: 'snapshot';
  id: number;
  sdk: Record<string, ClientFigures>;
  store: Record<string, Record<string, number>>;
  errorNames: Record<string, number>;
  latencyMs: number[];
}
export type WorkerReply = { type: 'ready' } | WorkerSnapshot | { type: 'done'; id: number };

const env = process.env as Record<string, string>;
let phaseOf = () => 'before';
const client = checkClient(env.DYNAMODB_ENDPOINT);
const meter = new ConsumedCapacityMeter(() => phaseOf());
meter.attach(client);
// Each request's round trip, for comparing with the simulator's virtual latency.
const latencies: number[] = [];
client.middlewareStack.add(
  (next) => async (args) => {
    const started = performance.now();
    try {
      return await next(args);
    } finally {
      latencies.push(performance.now() - started);
    }
  },
  { step: 'finalizeRequest', name: 'latencyMeter' },
);
const store = new CountingLeaseStore(new DynamoDbLeaseStore(client, env.TABLE), () => phaseOf());
const worker = checkWorker(store, systemClock, env.WORKER_ID, Number(env.SEED));
const reply = (message: WorkerReply) => process.send!(message);

process.on('message', (command: WorkerCommand) => {
  switch (command.type) {
    case 'start':
      phaseOf = () => phaseAt(command.scenario, Date.now() - command.t0);
      worker.start();
      break;
    case 'snapshot':
      reply({ type: 'snapshot', id: command.id, sdk: meter.byPhase, store: store.byPhase, errorNames: meter.errorNames, latencyMs: latencies.splice(0) });
      break;
    case 'drain':
      void worker.drain().then(() => reply({ type: 'done', id: command.id }));
      break;
    case 'stop':
      void worker.kill().then(() => {
        reply({ type: 'done', id: command.id });
        client.destroy();
        process.disconnect();
      });
      break;
  }
});
reply({ type: 'ready' });
