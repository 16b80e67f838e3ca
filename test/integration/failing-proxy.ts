import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Upstream, endToEndHeaders, operationOf, relay, sendKinesisError } from '../../src/testing/proxy-http.ts';

/** A proxy in front of the embedded Kinesis that fails requests of one operation with HTTP 500. */
export interface FailingProxy {
  endpoint: string;
  /** Requests of the operation seen, and how many of them were failed. */
  readonly seen: number;
  readonly failed: number;
  close(): Promise<void>;
}

/**
 * Answers the first `failures` requests of `operation` (`Infinity`: every one) with a 500
 * `InternalFailure`, as Kinesis does on a transient fault, and forwards everything else.
 * Deterministic, unlike the seeded fault proxy's 500-or-503 draw.
 */
export async function startFailingProxy(upstream: string, operation: string, failures: number): Promise<FailingProxy> {
  const target = new Upstream(new URL(upstream));
  let seen = 0;
  let failed = 0;
  const server = createServer((req, res) => {
    if (operationOf(req) === operation) {
      seen++;
      if (failed < failures) {
        failed++;
        req.resume();
        return sendKinesisError(res, 500, 'InternalFailure', `${operation} failed (injected)`);
      }
    }
    target.send(req.method ?? 'POST', req.url ?? '/', endToEndHeaders(req.headers, true), req).then(
      (answer) => relay(answer, res),
      () => sendKinesisError(res, 502, 'InternalFailure', 'upstream unreachable'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get seen() {
      return seen;
    },
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        target.close();
      }),
  };
}
