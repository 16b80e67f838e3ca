import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, type AnyActorRef } from 'xstate';
import { Supervisor } from '../../../src/supervision/supervisor.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { silentLogger } from '../../../src/internal/logger.ts';

const crashy = setup({ types: { events: {} as { type: 'crash' } } }).createMachine({
  on: {
    crash: {
      actions: () => {
        throw new Error('boom');
      },
    },
  },
});

describe('Supervisor', () => {
  it('restarts a failed child after a backoff and hands back its work first', () => {
    const clock = new SimulatedClock();
    const handedBack: unknown[] = [];
    let starts = 0;
    const supervisor = new Supervisor<AnyActorRef>({ clock, logger: silentLogger(), onEscalate: () => expect.unreachable() });
    supervisor.spawn({
      id: 'child',
      create: () => {
        starts++;
        return createActor(crashy);
      },
      onFailure: (error) => handedBack.push(error),
    });
    supervisor.get('child')!.send({ type: 'crash' });
    expect(handedBack).toHaveLength(1);
    expect(starts).toBe(1);
    clock.advance(200);
    expect(starts).toBe(2);
    expect(supervisor.get('child')!.getSnapshot().status).toBe('active');
  });

  it('escalates after more restarts than the window allows', () => {
    const clock = new SimulatedClock();
    const escalated: unknown[] = [];
    const supervisor = new Supervisor<AnyActorRef>({
      clock,
      logger: silentLogger(),
      strategy: { minBackoffMs: 10, maxBackoffMs: 10, maxRestarts: 3, withinMs: 10_000 },
      onEscalate: (_id, error) => escalated.push(error),
    });
    supervisor.spawn({ id: 'child', create: () => createActor(crashy) });
    for (let i = 0; i < 4; i++) {
      supervisor.get('child')?.send({ type: 'crash' });
      clock.advance(20);
    }
    expect(escalated).toHaveLength(1);
    expect((escalated[0] as { code: string }).code).toBe('ACTOR_ESCALATED');
    expect(supervisor.has('child')).toBe(false);
  });

  it('forgets old restarts outside the window', () => {
    const clock = new SimulatedClock();
    const supervisor = new Supervisor<AnyActorRef>({
      clock,
      logger: silentLogger(),
      strategy: { minBackoffMs: 10, maxBackoffMs: 10, maxRestarts: 2, withinMs: 1000 },
      onEscalate: () => expect.unreachable(),
    });
    supervisor.spawn({ id: 'child', create: () => createActor(crashy) });
    for (let i = 0; i < 6; i++) {
      supervisor.get('child')!.send({ type: 'crash' });
      clock.advance(600);
    }
    expect(supervisor.has('child')).toBe(true);
  });

  it('supervises any actor logic, and stopAll stops restarts', () => {
    const clock = new SimulatedClock();
    let starts = 0;
    const supervisor = new Supervisor<AnyActorRef>({ clock, logger: silentLogger(), onEscalate: () => {} });
    const failing = fromCallback(() => {
      throw new Error('callback failed');
    });
    supervisor.spawn({
      id: 'cb',
      create: () => {
        starts++;
        return createActor(failing);
      },
    });
    expect(starts).toBe(1);
    supervisor.stopAll();
    clock.advance(10_000);
    expect(starts).toBe(1);
  });
});
