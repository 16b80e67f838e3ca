// HTTP plumbing of the fault proxy: Kinesis' awsJson error shape, forwarding over a keep-alive
// pool, relaying answers, resetting connections. @internal

import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The JSON protocol version the SDK and the emulators speak for Kinesis. */
export const AMZ_JSON = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Kinesis_20131202.';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** The operation named by `X-Amz-Target`, such as `PutRecords`, or '' if there is none. */
export function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string') return '';
  return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target.slice(target.indexOf('.') + 1);
}

/** Headers to pass on, without hop-by-hop ones (and without content-length when the body changes). */
export function endToEndHeaders(headers: IncomingHttpHeaders, keepLength: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || (!keepLength && name === 'content-length')) continue;
    out[name] = headers[name];
  }
  return out;
}

/** Reads a whole body. */
export async function readBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * Answers with a Kinesis error in the awsJson1_1 shape: the SDK reads the error name from
 * `__type` first (then `code`, then `x-amzn-ErrorType`), the message from `message`, and
 * `$fault` from the status (≥ 500 is a server fault).
 */
export function sendKinesisError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
}

/** Answers with a JSON body as Kinesis does. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    ...headers,
    'content-type': AMZ_JSON,
    'content-length': payload.length,
  });
  res.end(payload);
}

/** Destroys the client's connection without answering, with a TCP reset where the OS allows. */
export function resetConnection(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** One upstream Kinesis endpoint reached through a keep-alive pool. */
export class Upstream {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });

  constructor(private readonly url: URL) {}

  /**
   * Sends a request upstream. A buffered body is retried once if a reused keep-alive socket
   * turned out to be closed by the upstream before it read anything (Node's documented race).
   */
  send(method: string, path: string, headers: OutgoingHttpHeaders, body: Buffer | Readable): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const attempt = (retry: boolean) => {
        const upstreamReq = request(
          { host: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent },
          resolve,
        );
        upstreamReq.on('error', (err: NodeJS.ErrnoException) => {
          if (retry && Buffer.isBuffer(body) && upstreamReq.reusedSocket && err.code === 'ECONNRESET') attempt(false);
          else reject(err);
        });
        if (Buffer.isBuffer(body)) upstreamReq.end(body);
        else body.pipe(upstreamReq);
      };
      attempt(true);
    });
  }

  /** Calls a Kinesis operation with a JSON body and parses the JSON answer; rejects on non-200. */
  async call<T>(operation: string, input: unknown, auth: OutgoingHttpHeaders): Promise<T> {
    const body = Buffer.from(JSON.stringify(input));
    const res = await this.send('POST', '/', {
      ...auth,
      'content-type': AMZ_JSON,
      'x-amz-target': TARGET_PREFIX + operation,
      'content-length': body.length,
    }, body);
    const text = (await readBody(res)).toString();
    if (res.statusCode !== 200) throw new Error(`${operation} answered ${res.statusCode}: ${text}`);
    return JSON.parse(text) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Relays an upstream answer to the client as it streams in. */
export function relay(upstreamRes: IncomingMessage, res: ServerResponse): void {
  res.writeHead(upstreamRes.statusCode ?? 502, endToEndHeaders(upstreamRes.headers, true));
  upstreamRes.pipe(res);
}

/** The client's headers for a forwarded request whose body is `length` bytes. */
export function forwardHeaders(req: IncomingMessage, length: number): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers, false);
  headers['content-length'] = length;
  return headers;
}

/** The client's SigV4 headers, reused for the proxy's own ListShards: the emulators check only their form. */
export function authOf(req: IncomingMessage): Record<string, string> {
  const auth: Record<string, string> = {};
  for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token']) {
    const value = req.headers[name];
    if (typeof value === 'string') auth[name] = value;
  }
  return auth;
}

/** The parsed body of an awsJson request, or undefined (not JSON: the upstream will answer). */
export function parseJson(req: IncomingMessage, body: Buffer): unknown {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-amz-json')) return undefined;
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined; // the upstream answers SerializationException
  }
}
