import type { SimulationRun } from './simulation-run.ts';
import { shardId, simulatedLease, workerId } from './names.ts';

/** What happens at the scenario's moment t0 (after the fleet has settled, except for `start`). */
export interface Scenario {
  readonly name: string;
  /** True when t0 is the fleet's start on an empty table; else the fleet first settles. */
  readonly fromStart: boolean;
  apply(run: SimulationRun): Promise<void> | void;
}


export const scenarios: readonly Scenario[] = [
  {
    name: 'start',
    fromStart: true,
    // Shard sync creates every lease (billed), and the workers start within 3 s.
    async apply(run) {
      const { shards } = run.options;
      const leases = Array.from({ length: shards }, (_, i) => simulatedLease(i, shards, 'TRIM_HORIZON'));
      await run.during(Promise.all(leases.map((lease) => run.retried(() => run.store.createLeaseIfNotExists(lease)))));
    },
  },
  { name: 'worker killed', fromStart: false, apply: (run) => run.kill(workerId(0)) },
  { name: 'worker drained', fromStart: false, apply: (run) => run.drain(workerId(1)) },
  {
    name: 'workers join (+10%)',
    fromStart: false,
    apply(run) {
      const first = run.workerCount;
      for (let i = 0; i < Math.max(1, Math.round(first / 10)); i++) run.startWithin(workerId(first + i), 3000);
    },
  },
  {
    name: 'reshard (10% split)',
    fromStart: false,
    async apply(run) {
      const ids = run.shardIds();
      const parents = ids.filter((_, i) => i % 10 === 0);
      let next = ids.length;
      await run.during(Promise.all(parents.map((p) => run.fleet.endShard(p))));
      // Shard sync: a child lease per half of each parent, TRIM_HORIZON, lineage recorded.
      const children = parents.map((parent) => ({ parent, kids: [next++, next++] }));
      const total = next;
      await run.during(
        Promise.all(
          children.flatMap(({ parent, kids }) => {
            const kidIds = kids.map(shardId);
            run.load.split(parent, kidIds);
            return [
              ...kids.map((kid) => run.retried(() => run.store.createLeaseIfNotExists(simulatedLease(kid, total, 'TRIM_HORIZON', [parent])))),
              run.retried(() => run.store.updateChildShardIds(parent, kidIds)),
            ];
          }),
        ),
      );
      // Once the children have checkpointed past their start, shard sync deletes the parents.
      run.at(60_000, async () => {
        await Promise.all(parents.map((p) => run.leases.peek(p)).map((lease) => lease && run.store.deleteLease(lease).catch(() => undefined)));
      });
    },
  },
  {
    name: 'hot shards (10% at 10x)',
    fromStart: false,
    apply: (run) => run.load.heat(run.shardIds(), 0.1, 10, run.random),
  },
];
