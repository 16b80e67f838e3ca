import { InvalidOptionError } from '../errors.ts';
import { integer } from '../options/validate.ts';
import type { Clock } from '../internal/clock.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../internal/logger.ts';
import type { SupervisionStrategy } from '../supervision/supervisor.ts';

/** How a pipeline runs its stages, on either side. */
export interface PipelineOptions {
  /** The pipeline's name: the `PipelineName` attribute of its OpenTelemetry instruments. @defaultValue 'pipeline' */
  name?: string | undefined;
  /**
   * Batches accepted but not yet through every stage; `push` (and so `processRecords` or a
   * producer-side `put`) waits while this many are in the chain. @defaultValue 4
   */
  maxInFlightBatches?: number | undefined;
  /**
   * Batches through every stage but not yet complete (held by a sink until its object is
   * written); pushing waits while this many are held. @defaultValue 10000
   */
  maxHeldBatches?: number | undefined;
  /** How often stages with a `tick` are called; 0 turns ticks off. @defaultValue 1000 */
  tickIntervalMs?: number | undefined;
  /** Restart policy of every stage actor, unless the stage sets its own. */
  supervision?: Partial<SupervisionStrategy> | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out); when absent, warnings and errors go to stderr. Anything else throws `InvalidOptionError`. */
  logger?: LoggerOption | undefined;
  clock?: Clock | undefined;
}

export const pipelineDefaults = Object.freeze({
  name: 'pipeline',
  maxInFlightBatches: 4,
  maxHeldBatches: 10_000,
  tickIntervalMs: 1_000,
});

/** Options after defaults and validation; frozen. @internal */
export interface ResolvedPipelineOptions {
  readonly name: string;
  readonly maxInFlightBatches: number;
  readonly maxHeldBatches: number;
  readonly tickIntervalMs: number;
  readonly supervision: Partial<SupervisionStrategy>;
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
}

/** Applies defaults, checks every field, and freezes the result. @internal */
export function resolvePipelineOptions(options: PipelineOptions = {}): ResolvedPipelineOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object', options);
  if (options.supervision !== undefined && (options.supervision === null || typeof options.supervision !== 'object')) {
    throw new InvalidOptionError('supervision', 'must be an object of SupervisionStrategy fields', options.supervision);
  }
  const name = options.name ?? pipelineDefaults.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new InvalidOptionError('name', 'must be 1–64 characters of A-Z, a-z, 0-9, _ . -', name);
  return Object.freeze({
    name,
    maxInFlightBatches: integer('maxInFlightBatches', options.maxInFlightBatches ?? pipelineDefaults.maxInFlightBatches, 1, 10_000),
    maxHeldBatches: integer('maxHeldBatches', options.maxHeldBatches ?? pipelineDefaults.maxHeldBatches, 1, 10_000_000),
    tickIntervalMs: integer('tickIntervalMs', options.tickIntervalMs ?? pipelineDefaults.tickIntervalMs, 0, 86_400_000),
    supervision: options.supervision ?? {},
    logger: resolveLogger(options.logger),
    clock: options.clock,
  });
}
