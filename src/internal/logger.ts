import { pino, type Logger } from 'pino';
import { InvalidOptionError } from '../errors.ts';

/** A pino logger: what every component logs to, with `child()` for context. */
export type { Logger };

/** A logger without `child()`, such as `console`: one method per level, any arguments. */
export interface ConsoleLike {
  debug?(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * What a `logger` option accepts: a pino logger (used as it is), or a console-like object
 * (`console` itself), adapted by {@link resolveLogger}.
 */
export type LoggerOption = Logger | ConsoleLike;

/** A logger that writes nothing: for tests and harnesses that assert on other channels. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The logger used when the caller passes none: warnings and errors only, as JSON lines on
 * stderr. What goes wrong (records expiring and why, a restarted actor, a lost lease) must be
 * visible to an operator who never configured logging; nothing per record is logged at warn.
 * Written synchronously: such lines are rare, and the last ones before a crash are the ones
 * that matter.
 */
export function defaultLogger(): Logger {
  return pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }));
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}

/**
 * Checks a `logger` option once, when options are resolved. A pino logger (anything with
 * `child()` and pino's level methods) is used as it is. A console-like object is wrapped into a
 * pino logger at pino's default level, info, that calls the console's method of each level
 * with the message first and the context (child bindings included) second. Anything else throws
 * {@link InvalidOptionError} naming `field`.
 * @internal
 */
export function resolveLogger(value: unknown, field = 'logger'): Logger | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Record<string, unknown> | null;
  const levels = candidate !== null && typeof candidate === 'object' && isFunction(candidate.info) && isFunction(candidate.warn) && isFunction(candidate.error);
  if (levels && isFunction(candidate.child) && isFunction(candidate.debug)) return value as Logger;
  if (levels && !('child' in candidate)) return consoleLogger(value as ConsoleLike);
  throw new InvalidOptionError(field, 'must be a pino logger, or a console-like object with info, warn and error methods (such as console)', value);
}

/** The console's method for a pino level number (20 debug, 30 info, 40 warn, 50 error, 60 fatal). */
function consoleMethod(target: ConsoleLike, level: number): (...args: unknown[]) => void {
  if (level >= 50) return target.error;
  if (level >= 40) return target.warn;
  if (level >= 30) return target.info;
  return target.debug ?? target.info;
}

function consoleLogger(target: ConsoleLike): Logger {
  return pino(
    {
      level: 'info',
      hooks: {
        // Called instead of pino's own writing: the console gets the objects, not JSON.
        logMethod(args, _method, level) {
          const [first, ...rest] = args as unknown[];
          let context: object | undefined;
          let message: unknown[];
          if (first instanceof Error) {
            context = { err: first };
            message = rest.length > 0 ? rest : [first.message];
          } else if (typeof first === 'object' && first !== null) {
            context = first;
            message = rest;
          } else {
            message = [first, ...rest];
          }
          const fields = { ...this.bindings(), ...context };
          consoleMethod(target, level).apply(target, Object.keys(fields).length > 0 ? [...message, fields] : message);
        },
      },
    },
    { write() {} },
  );
}
