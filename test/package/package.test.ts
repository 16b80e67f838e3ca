// The package as an adopter gets it: packed, installed into an empty application, and used
// there with plain Node (ESM and require), a strict TypeScript compiler and a bundler, through
// every entry of its `exports`.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./app', import.meta.url));
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Children find this Node first on their PATH, so the CI run on another Node version uses it
// throughout (npm's own scripts, the CLI's shebang).
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const result = await run(command, args, cwd, extraEnv);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

const node = (args: string[], cwd: string) => ok(process.execPath, args, cwd);
const npm = (args: string[], cwd: string) => ok(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd);

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

describe('the packed package in a fresh application', () => {
  let dir: string;
  let app: string;
  let packed: Packed;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kinesis-actors-package-'));
    app = join(dir, 'app');
    // `npm pack` runs the build (prepare), exactly as publishing does.
    const pack = await npm(['pack', '--json', '--pack-destination', dir], root);
    packed = (JSON.parse(pack.stdout) as Packed[])[0];
    await cp(fixture, app, { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', allowScripts: manifest.allowScripts }, null, 2));
    // The emulators are optional peers: an application installs them to use the local stack.
    // fastify and express too, for the web entries (express with its types, as an application has them).
    const peers = ['kinesalite', 'dynalite', 'fastify', 'express', '@types/express'].map((name) => `${name}@${manifest.devDependencies[name]}`);
    await npm(['install', '--no-audit', '--no-fund', '--no-package-lock', join(dir, packed.filename), ...peers], app);
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships compiled JavaScript with declarations and source maps, and nothing else', async () => {
    const paths = packed.files.map((f) => f.path);
    const stray = paths.filter((p) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(p));
    expect(stray).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    const entries = ['index', 'codec/index', 'leases/index', 'supervision/index', 'testing/index', 'dashboard/index', 'web/fastify/index', 'web/express/index'].flatMap((e) => [`dist/src/${e}.js`, `dist/src/${e}.d.ts`]);
    for (const entry of [...entries, 'dist/src/index.js.map', 'dist/workers/encode.worker.js', 'dist/src/cli/main.js', 'LICENSE', 'README.md']) {
      expect(paths).toContain(entry);
    }
    const installed = join(app, 'node_modules', 'kinesis-actors');
    expect((await stat(join(installed, 'dist/src/index.js'))).isFile()).toBe(true);
    console.info(`tarball: ${paths.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} bytes unpacked`);
  });

  it('installs no TypeScript tooling', () => {
    for (const tool of ['typescript', 'tsx', 'esbuild', 'ts-node']) expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
  });

  it('loads every entry with import and with require', async () => {
    const expected = JSON.stringify(Array(10).fill('function'));
    expect((await node(['esm.mjs'], app)).stdout.trim()).toBe(expected);
    expect((await node(['cjs.cjs'], app)).stdout.trim()).toBe(expected);
  });

  it('loads the web entries without fastify or express installed', async () => {
    const away = ['fastify', 'express'].map((name) => join(app, 'node_modules', name));
    for (const dir of away) await rename(dir, `${dir}.away`);
    try {
      const script = "Promise.all([import('kinesis-actors/fastify'), import('kinesis-actors/express')]).then((m) => console.log(typeof m[0].producerPlugin, typeof m[1].producerMiddleware))";
      expect((await node(['--input-type=module', '-e', script], app)).stdout.trim()).toBe('function function');
      const required = "console.log(typeof require('kinesis-actors/fastify').producerPlugin, typeof require('kinesis-actors/express').producerMiddleware)";
      expect((await node(['-e', required], app)).stdout.trim()).toBe('function function');
    } finally {
      for (const dir of away) await rename(`${dir}.away`, dir);
    }
  });

  it('serves with the fastify plugin and the Express-style middleware, each closed with its clicks in the stream', async () => {
    const { stdout } = await node(['web.mjs'], app);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ statuses: [202, 202, 202, 202, 202], inStream: 5 });
  });

  it('type-checks a strict TypeScript application without skipLibCheck, which then runs on plain node', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // @types/node comes from this repository: the application needs it, the package does not bring it.
    await writeFile(join(app, 'tsconfig.json'), (await readFile(join(app, 'tsconfig.json'), 'utf8')).replace('"outDir": "out"', `"outDir": "out", "typeRoots": [${JSON.stringify(join(root, 'node_modules', '@types'))}]`));
    // The README's fastify and Express examples, compiled (not run: they listen on a fixed port) with the rest.
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    for (const [heading, file, entry] of [
      ['**fastify**', 'readme-fastify.ts', 'kinesis-actors/fastify'],
      ['**Express, connect, `node:http`**', 'readme-express.ts', 'kinesis-actors/express'],
    ]) {
      const example = /^```ts\n([\s\S]*?)```/m.exec(readme.slice(readme.indexOf(`\n${heading}`)))?.[1];
      expect(example).toContain(`from '${entry}'`);
      await writeFile(join(app, file), example!);
    }
    const checked = await run(process.execPath, [tsc, '-p', '.'], app);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    const { stdout } = await node(['out/round-trip.js', '3000'], app);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ put: 3000, shards: 2, consumed: 3000, closedCode: 'PRODUCER_CLOSED' });
    const web = await node(['out/web-express.js'], app);
    expect(JSON.parse(web.stdout.trim().split('\n').at(-1)!)).toEqual({ statuses: [202, 202, 202, 200, 400], code: 'INVALID_PARTITION_KEY', inStream: 4 });
    const blocks = await node(['out/building-blocks.js'], app);
    expect(JSON.parse(blocks.stdout.trim())).toEqual({ status: 'aggregated', records: ['a', 'b'], hashKey: 'bigint', lease: 'shardId-000000000000', maxRestarts: 3, describeLeaseTable: 'function' });
  });

  it('runs bundled with esbuild for Node, the package marked external, worker threads included', async () => {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(app, 'round-trip.ts')],
      outfile: join(app, 'bundle', 'round-trip.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['kinesis-actors', 'kinesis-actors/*'],
      logLevel: 'silent',
    });
    const { stdout } = await node(['bundle/round-trip.mjs', '2000'], app);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ put: 2000, shards: 2, consumed: 2000 });
  });

  it('installs the kinesis-actors command', async () => {
    const bin = join(app, 'node_modules', '.bin', 'kinesis-actors');
    expect((await ok(bin, ['--version'], app)).stdout.trim()).toBe(manifest.version);
  });

  it('runs the README quick start verbatim against `kinesis-actors local`', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const quickStart = /```js\n(\/\/ quick-start\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(quickStart).toBeDefined();
    const bin = join(app, 'node_modules', '.bin', 'kinesis-actors');
    // The README's fixed ports, moved to free ones so that this test never meets a busy port.
    const local = spawn(bin, ['local', '--port', '0', '--dynamodb-port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [kinesisEndpoint, dynamoDbEndpoint] = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        local.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /Kinesis at (http:\/\/\S+), DynamoDB at (http:\/\/\S+) /.exec(out);
          if (found) resolve([found[1], found[2]]);
        });
        local.once('exit', (code) => reject(new Error(`kinesis-actors local exited with ${code}: ${out}`)));
      });
      const code = quickStart!.replaceAll('http://127.0.0.1:4567', kinesisEndpoint).replaceAll('http://127.0.0.1:4568', dynamoDbEndpoint);
      await writeFile(join(app, 'quick-start.mjs'), code);
      await ok(bin, ['create-stream', 'clicks', '--shards', '2'], app, { KINESIS_ENDPOINT: kinesisEndpoint, DYNAMODB_ENDPOINT: dynamoDbEndpoint, AWS_REGION: 'us-east-1' });
      // It must also end on its own: close() leaves nothing that holds the process open.
      const { stdout } = await node(['quick-start.mjs'], app);
      expect(stdout.trim()).toBe('consumed all 1000 clicks');
    } finally {
      local.kill('SIGTERM');
    }
  });

  it('without the optional emulators, says in one line what to install', async () => {
    const bin = join(app, 'node_modules', '.bin', 'kinesis-actors');
    const kinesalite = join(app, 'node_modules', 'kinesalite');
    await rename(kinesalite, `${kinesalite}.away`);
    try {
      const local = await run(bin, ['local', '--port', '0', '--dynamodb-port', '0'], app);
      expect(local.code).toBe(1);
      expect(local.stdout).toBe('');
      expect(local.stderr.trim().split('\n')).toEqual([expect.stringContaining('npm install -D kinesalite dynalite')]);

      const script = "import('kinesis-actors/testing').then((t) => t.startLocalStack()).then(() => console.log('started'), (e) => console.log(e.code, e.message))";
      const { stdout } = await node(['--input-type=module', '-e', script], app);
      expect(stdout.trim()).toBe('MISSING_DEPENDENCY the embedded local stack needs the kinesalite package: npm install -D kinesalite dynalite');
    } finally {
      await rename(`${kinesalite}.away`, kinesalite);
    }
  });
});
