import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidOptionError, InvalidRecordError, KinesisActorsError } from '../../errors.ts';
import { integer } from '../../options/validate.ts';
import { producerFrom, type ProducerLike, type ProducerSource } from '../producer-source.ts';

/** Options of {@link producerMiddleware}. */
export interface ProducerMiddlewareOptions {
  /** Options of the producer the middleware creates, or a producer to use; either way `close()` closes it. */
  producer: ProducerSource;
  /** The `Retry-After` (seconds) of the 503 a request gets once `close()` was called. @defaultValue 1 */
  retryAfterSeconds?: number | undefined;
}

declare global {
  // Express's namespace for what middleware adds to a request (as passport adds `req.user`):
  // with @types/express, `req.producer` and `res.locals.producer` are typed in every route.
  namespace Express {
    interface Request {
      /** The Kinesis producer of `producerMiddleware()` (from `kinesis-actors/express`). */
      producer: ProducerLike;
    }
    interface Locals {
      /** The Kinesis producer of `producerMiddleware()` (from `kinesis-actors/express`). */
      producer: ProducerLike;
    }
  }
}

/** A request that went through {@link producerMiddleware}: the producer is on it (and on `res.locals.producer` under Express). */
export interface ProducerRequest extends IncomingMessage {
  producer: ProducerLike;
}

/**
 * Express-style middleware (`(req, res, next)`, also for connect and plain `node:http`) that puts
 * the producer on `req.producer` and, where there is one, `res.locals.producer`; and the way
 * to close it.
 */
export interface ProducerMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /**
   * Express error middleware (`app.use(middleware.errorHandler)` after the routes) answering what
   * the producer throws or rejects at once: a record it refuses (`InvalidRecordError`:
   * `INVALID_PARTITION_KEY`, `SERIALIZATION_FAILED`, ...) 400, and `BACKPRESSURE` or
   * `PRODUCER_CLOSED` 503 with `Retry-After`, each with `{ error, code, message }` as JSON; any
   * other error goes on to the next error handler.
   */
  readonly errorHandler: (error: unknown, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  /** The producer the middleware hands to requests. */
  readonly producer: ProducerLike;
  /** Requests that went through the middleware and are not answered yet. */
  readonly inFlight: number;
  /**
   * Answers new requests 503 with `Retry-After`, waits for the requests in flight to be
   * answered (with `Connection: close`, so that their connections end), then closes the producer, which drains every accepted put. Idempotent: every call
   * returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Creates middleware that hands one producer to every request, and closes it after the requests
 * in flight: call `close()` on shutdown (with or after the HTTP server's `close()`), and every
 * put made by a request that got its answer is in Kinesis (or has failed for good) when it
 * resolves. It imports nothing of Express. Options are checked here, once: a bad one throws an
 * `InvalidOptionError` (`INVALID_OPTION`) naming it, before a producer is created.
 *
 * @example
 * import { producerMiddleware } from 'kinesis-actors/express';
 * const kinesis = producerMiddleware({ producer: { streamName: 'clicks' } });
 * app.use(kinesis);
 * app.post('/click', (req, res) => { req.producer.send(req.body, { partitionKey: req.body.userId }); res.sendStatus(202); });
 * app.use(kinesis.errorHandler);
 * process.once('SIGTERM', () => { server.close(); void kinesis.close(); });
 */
export function producerMiddleware(options: ProducerMiddlewareOptions): ProducerMiddleware {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('producer', 'is required: the options of a producer to create, or a producer', options);
  const retryAfter = String(integer('retryAfterSeconds', options.retryAfterSeconds ?? 1, 0));
  const producer = producerFrom(options);
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  let idle: (() => void) | undefined;
  function answered(this: ServerResponse) {
    inFlight.delete(this);
    if (inFlight.size === 0) idle?.();
  }

  const answer = (res: ServerResponse, status: 400 | 503, code: string, message: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 503) headers['retry-after'] = retryAfter;
    // A request answered while closing must not keep its connection open (see close()).
    if (closing) headers.connection = 'close';
    res.writeHead(status, headers).end(JSON.stringify({ error: status === 400 ? 'Bad Request' : 'Service Unavailable', code, message }));
  };

  const errorHandler = (error: unknown, _req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (res.headersSent || !(error instanceof KinesisActorsError)) return next(error);
    if (error instanceof InvalidRecordError) return answer(res, 400, error.code, error.message);
    if (error.code === 'BACKPRESSURE' || error.code === 'PRODUCER_CLOSED') return answer(res, 503, error.code, error.message);
    next(error);
  };

  const middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (closing) {
      answer(res, 503, 'PRODUCER_CLOSED', 'the server is shutting down');
      return;
    }
    inFlight.add(res);
    res.once('close', answered);
    (req as ProducerRequest).producer = producer;
    const locals = (res as ServerResponse & { locals?: unknown }).locals;
    if (typeof locals === 'object' && locals !== null) (locals as Record<string, unknown>).producer = producer;
    next();
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Answered on a kept-alive connection, they would hold the HTTP server's close open.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      if (inFlight.size > 0) await new Promise<void>((resolve) => (idle = resolve));
      await producer.close();
    })();
    return closing;
  };

  return Object.defineProperties(middleware, {
    producer: { value: producer, enumerable: true },
    errorHandler: { value: errorHandler, enumerable: true },
    inFlight: { get: () => inFlight.size, enumerable: true },
    close: { value: close, enumerable: true },
  }) as ProducerMiddleware;
}
