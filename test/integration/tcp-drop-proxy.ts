import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy that can cut every connection once a client has sent a given number of bytes more. */
export interface TcpDropProxy {
  port: number;
  /** Connections cut so far. */
  readonly dropped: number;
  /** Cuts the connection that sends the next `bytes` bytes (client to server), once. */
  dropAfter(bytes: number): void;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:`targetPort` on 127.0.0.1, port 0. */
export async function startTcpDropProxy(targetPort: number): Promise<TcpDropProxy> {
  const sockets = new Set<Socket>();
  let budget: number | undefined;
  let dropped = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('data', (chunk: Buffer) => {
      if (budget !== undefined) {
        budget -= chunk.length;
        if (budget <= 0) {
          budget = undefined;
          dropped++;
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    get dropped() {
      return dropped;
    },
    dropAfter(bytes) {
      budget = bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
