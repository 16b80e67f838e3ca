/**
 * What one batch costs a shard's buffer actor in xstate, alone: the cycle a batch takes it
 * through (idle → deciding → flushing → deciding → idle), with cutting and sending stubbed
 * out: the send resolves at once and reports back as the producer's does. µs of the process's
 * CPU per cycle, median of `runs`.
 *
 *   npx tsx bench/shard-actor-cycle.ts [runs] [cycles]
 */
import { assign, createActor } from 'xstate';
import type { Batch } from '../src/producer/batch.ts';
import { shardBufferMachine } from '../src/producer/shard-buffer.machine.ts';

const [runs = 5, cycles = 20_000] = process.argv.slice(2).map(Number);
let batchesToCut = 0;
let cycleEnded: () => void = () => {};
const logic = shardBufferMachine.provide({
  actions: {
    cutBatch: assign({ batch: () => (batchesToCut-- > 0 ? ({ userRecords: 1 } as Batch) : undefined) }),
    startSend: ({ self }) => void Promise.resolve().then(() => self.send({ type: 'shardBuffer.sent' })),
  },
  guards: { hasRecords: () => false },
  delays: { untilDue: () => 0 },
});
const actor = createActor(logic, { input: { shardId: 'shardId-0', retryBaseDelay: 100, retryMaxDelay: 1000, maxConsecutiveFailures: 5 } });
actor.subscribe((snapshot) => {
  if (snapshot.value === 'idle') cycleEnded();
});
actor.start();

async function cycle(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const ended = new Promise<void>((resolve) => (cycleEnded = resolve));
    batchesToCut = 1;
    actor.send({ type: 'shardBuffer.recordsAdded' });
    await ended;
  }
}

await cycle(2_000);
const perCycle: number[] = [];
for (let run = 0; run < runs; run++) {
  const before = process.cpuUsage();
  await cycle(cycles);
  const spent = process.cpuUsage(before);
  perCycle.push((spent.user + spent.system) / cycles);
}
perCycle.sort((a, b) => a - b);
console.log(`µs of CPU per batch cycle: ${perCycle[Math.floor(runs / 2)].toFixed(1)} (${perCycle[0].toFixed(1)}–${perCycle[runs - 1].toFixed(1)}), ${runs} runs of ${cycles}`);
actor.stop();
