import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Upstream, endToEndHeaders, relay } from '../../src/testing/proxy-http.ts';

/** A proxy in front of the embedded S3 that fails chosen PUTs as S3 does, and records every request. */
export interface S3FaultProxy {
  endpoint: string;
  /** Method, path and headers of every request, in arrival order. */
  readonly requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /** Requests answered with an injected error. */
  readonly failed: number;
  /** Fails the next `count` PUTs whose path matches `path` (`Infinity`: all) with `status` and S3's error `code`. */
  failPuts(count: number, status: number, code: string, path?: RegExp): void;
  close(): Promise<void>;
}

function s3Error(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} (injected)</Message></Error>`;
}

/** Starts a proxy forwarding to `upstream` (an S3 endpoint) on 127.0.0.1, port 0. */
export async function startS3FaultProxy(upstream: string): Promise<S3FaultProxy> {
  const target = new Upstream(new URL(upstream));
  const requests: S3FaultProxy['requests'] = [];
  let fault: { count: number; status: number; code: string; path: RegExp } | undefined;
  let failed = 0;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    if (fault && fault.count > 0 && req.method === 'PUT' && fault.path.test(path)) {
      fault.count--;
      failed++;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/xml' }).end(s3Error(fault.code));
      return;
    }
    target.send(req.method ?? 'GET', req.url ?? '/', endToEndHeaders(req.headers, true), req).then(
      (answer) => relay(answer, res),
      () => res.writeHead(502).end(s3Error('BadGateway')),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get failed() {
      return failed;
    },
    failPuts(count, status, code, path = /./) {
      fault = { count, status, code, path };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        target.close();
      }),
  };
}
