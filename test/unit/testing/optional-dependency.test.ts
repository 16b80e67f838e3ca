import { describe, expect, it } from 'vitest';
import { loadOptional } from '../../../src/testing/optional-dependency.ts';
import { KinesisActorsError } from '../../../src/errors.ts';

describe('loadOptional', () => {
  it('loads a peer that is installed', () => {
    const kinesalite = loadOptional('kinesalite', 'the embedded local stack', ['kinesalite'], (r) => r('kinesalite') as unknown);
    expect(typeof kinesalite).toBe('function');
  });

  it('names the command that installs a missing peer, with a MISSING_DEPENDENCY code', () => {
    const attempt = () => loadOptional('no-such-emulator', 'the embedded local stack', ['no-such-emulator', 'dynalite'], (r) => r('no-such-emulator'));
    expect(attempt).toThrow(KinesisActorsError);
    expect(attempt).toThrow('the embedded local stack needs the no-such-emulator package: npm install -D no-such-emulator dynalite');
    try {
      attempt();
    } catch (error) {
      expect((error as KinesisActorsError).code).toBe('MISSING_DEPENDENCY');
      expect((error as KinesisActorsError).retriable).toBe(false);
    }
  });

  it('also for a file inside a missing peer', () => {
    const attempt = () => loadOptional('no-such-emulator', 'startKinesisLocal()', ['no-such-emulator'], (r) => r.resolve('no-such-emulator/main.js'));
    expect(attempt).toThrow('startKinesisLocal() needs the no-such-emulator package: npm install -D no-such-emulator');
  });

  it('lets any other failure of an installed peer through as it is', () => {
    const broken = new Error('kinesalite failed to start');
    expect(() => loadOptional('kinesalite', 'x', ['kinesalite'], () => { throw broken; })).toThrow(broken);
    const otherMissing = () => loadOptional('kinesalite', 'x', ['kinesalite'], (r) => r('leveldown-that-kinesalite-needs'));
    expect(otherMissing).toThrow(/Cannot find module 'leveldown-that-kinesalite-needs'/);
  });
});
