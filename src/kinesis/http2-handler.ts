import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { Readable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler, RequestHandlerOutput } from '@smithy/types';

/** Timeouts of an {@link EventStreamHttp2Handler}. @internal */
export interface Http2HandlerOptions {
  /** Longest wait for the session to connect, ms. */
  connectTimeoutMs: number;
  /** A stream that receives nothing for this long is ended with a `TimeoutError`, ms. */
  idleTimeoutMs: number;
}

/** Sessions an {@link EventStreamHttp2Handler} opened and still has open. @internal */
export interface Http2SessionCounts {
  opened: number;
  open: number;
}

function timeoutError(message: string): Error {
  const error = new Error(message);
  error.name = 'TimeoutError';
  return error;
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

function writeBody(stream: ClientHttp2Stream, body: unknown): void {
  if (body === undefined || body === null) stream.end();
  else if (typeof body === 'string' || body instanceof Uint8Array) stream.end(body);
  else if (body instanceof Readable) body.pipe(stream);
  else stream.end(Buffer.from(body as ArrayBuffer));
}

/**
 * The HTTP/2 request handler of the fan-out client: each request (a SubscribeToShard event
 * stream) gets a session of its own, and that session is closed exactly when its stream closes,
 * whichever way it ends: the last event, an error, an abort, an idle timeout, or the reader
 * dropping the body. The SDK's handler closes an event stream's session as soon as the
 * response headers arrive (a server may then break the stream) and has leaked such sessions;
 * here a session's life is its stream's, and {@link counts} lets a test see that.
 * @internal
 */
export class EventStreamHttp2Handler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: 'h2' };
  private readonly sessions = new Set<ClientHttp2Session>();
  private opened = 0;

  constructor(private readonly options: Http2HandlerOptions) {}

  /** Sessions opened so far, and those open now. */
  counts(): Http2SessionCounts {
    return { opened: this.opened, open: this.sessions.size };
  }

  handle(request: HttpRequest, handlerOptions: HttpHandlerOptions = {}): Promise<RequestHandlerOutput<HttpResponse>> {
    const signal = handlerOptions.abortSignal as AbortSignal | undefined;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const port = request.port ? `:${request.port}` : '';
      const session = connect(`${request.protocol}//${request.hostname}${port}`);
      this.opened++;
      this.sessions.add(session);
      let settled = false;
      const fail = (error: Error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
        session.destroy();
      };
      const connectTimer = setTimeout(() => fail(timeoutError(`HTTP/2 session did not connect within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      session.once('connect', () => clearTimeout(connectTimer));
      session.once('close', () => {
        clearTimeout(connectTimer);
        this.sessions.delete(session);
        signal?.removeEventListener('abort', onAbort);
        fail(new Error('HTTP/2 session closed before a response'));
      });
      session.on('error', (error) => fail(error));
      session.on('goaway', () => {});

      let path = request.path;
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) query.append(key, v);
      }
      if (query.size > 0) path += `?${query.toString()}`;
      const stream = session.request({ ...request.headers, [constants.HTTP2_HEADER_PATH]: path, [constants.HTTP2_HEADER_METHOD]: request.method });
      // After the response the body's reader sees errors; this keeps one that comes before it reads from crashing the process.
      stream.on('error', (error) => fail(error));
      stream.setTimeout(this.options.idleTimeoutMs, () => stream.destroy(timeoutError(`HTTP/2 stream received nothing for ${this.options.idleTimeoutMs} ms`)));
      // Whichever way the stream ends, its session goes with it: nothing else uses it.
      stream.once('close', () => {
        if (!settled) fail(new Error(`HTTP/2 stream closed before a response (code ${stream.rstCode})`));
        // Both sides of the only stream are done: nothing is lost by closing the socket at once.
        session.destroy();
      });
      stream.once('response', (headers) => {
        settled = true;
        resolve({ response: { statusCode: Number(headers[':status'] ?? -1), headers: responseHeaders(headers), body: stream } });
      });
      const onAbort = () => {
        stream.close(constants.NGHTTP2_CANCEL);
        fail(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      writeBody(stream, request.body);
    });
  }

  /** Destroys every open session and its streams. */
  destroy(): void {
    for (const session of this.sessions) session.destroy();
    this.sessions.clear();
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

function abortError(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}
