import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  resolveFaultProxyOptions,
  type FaultProxyFaults,
  type FaultProxyOptions,
  type ResolvedFaultProxyOptions,
} from './fault-proxy-options.ts';
import { FaultProxyStatsRecorder, type FaultProxyStats } from './fault-proxy-stats.ts';
import { judgeEntries, mergeResults, streamNameOf, type EntryJudge, type PutEntry, type PutResultEntry } from './entry-faults.ts';
import {
  AMZ_JSON,
  Upstream,
  authOf,
  endToEndHeaders,
  forwardHeaders,
  operationOf,
  parseJson,
  readBody,
  relay,
  resetConnection,
  sendKinesisError,
} from './proxy-http.ts';
import { createSeededRandom } from './seeded-random.ts';
import { PartitionKeyCache, StreamShards, type ListShardsShard } from './stream-shards.ts';
import { ShardWriteLimiter } from './token-bucket.ts';

/** A running fault-injecting Kinesis proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the SDK as its endpoint. */
  readonly endpoint: string;
  /** A snapshot of the counters, in total and per operation. */
  readonly stats: FaultProxyStats;
  /** The options in force. */
  readonly options: ResolvedFaultProxyOptions;
  /** Changes faults from the next request on; fields left out keep their value. */
  configure(faults: FaultProxyFaults): void;
  /** Stops listening and destroys every connection; idempotent (returns the same promise). */
  close(): Promise<void>;
}

type Reset = 'before' | 'after' | undefined;

/** A buffered answer, sent as is or withheld by a reset after forwarding. */
interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * Starts a proxy on 127.0.0.1 (port 0) between the AWS SDK and a Kinesis emulator that injects
 * what the emulators never do: per-shard throttling of PutRecords entries, per-entry
 * InternalFailure, whole-request 500/503, connection resets (before or after the write reached
 * the emulator) and latency. Every random decision comes from a seeded generator.
 *
 * @example
 * const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, throttle: true, seed: 7 });
 * const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint });
 * // ... produce; then proxy.configure({ requestFailureRate: 0.1 }) mid-run ...
 * await proxy.close();
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let resolved = resolveFaultProxyOptions(options);
  let random = createSeededRandom(resolved.seed);
  let limiter = resolved.throttle ? new ShardWriteLimiter(resolved.throttle) : undefined;
  const upstream = new Upstream(resolved.upstream);
  const stats = new FaultProxyStatsRecorder();
  const keys = new PartitionKeyCache();
  const shards = new StreamShards(async (streamName, auth) => {
    const all: ListShardsShard[] = [];
    let page = await upstream.call<{ Shards?: ListShardsShard[]; NextToken?: string }>('ListShards', { StreamName: streamName }, auth);
    all.push(...(page.Shards ?? []));
    while (page.NextToken) {
      page = await upstream.call('ListShards', { NextToken: page.NextToken }, auth);
      all.push(...(page.Shards ?? []));
    }
    return all;
  });
  let closed = false;

  const resetClient = (req: IncomingMessage, op: string, reset: 'before' | 'after'): void => {
    stats.add(op, 'connectionResets');
    if (reset === 'after') stats.add(op, 'resetsAfterForward');
    resetConnection(req);
  };

  /** Sends a buffered answer, or withholds it by resetting the connection. */
  const finish = (req: IncomingMessage, res: ServerResponse, op: string, reset: Reset, answer: Answer): void => {
    if (reset !== undefined) return resetClient(req, op, reset);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.end(answer.body);
  };

  /** Sends upstream and buffers the answer; undefined (client already answered) if unreachable. */
  const forward = async (req: IncomingMessage, res: ServerResponse, op: string, body: Buffer): Promise<Answer | undefined> => {
    try {
      const upstreamRes = await upstream.send(req.method ?? 'POST', req.url ?? '/', forwardHeaders(req, body.length), body);
      stats.add(op, 'forwarded');
      return { status: upstreamRes.statusCode ?? 502, headers: endToEndHeaders(upstreamRes.headers, false), body: await readBody(upstreamRes) };
    } catch (err) {
      upstreamFailed(res, op, err);
      return undefined;
    }
  };

  const upstreamFailed = (res: ServerResponse, op: string, err: unknown): void => {
    stats.add(op, 'upstreamErrors');
    if (res.headersSent) res.destroy();
    else sendKinesisError(res, 500, 'InternalFailure', `fault proxy could not reach ${resolved.upstream.origin}: ${(err as Error).message}`);
  };

  const entryJudge = (entryFailureRate: number): EntryJudge => ({
    random,
    entryFailureRate,
    limiter,
    shards,
    keys,
    now: () => resolved.clock.now(),
  });

  const putRecords = async (req: IncomingMessage, res: ServerResponse, body: Buffer, reset: Reset, o: ResolvedFaultProxyOptions) => {
    const op = 'PutRecords';
    const input = parseJson(req, body) as { StreamName?: string; StreamARN?: string; Records?: PutEntry[] } | undefined;
    if (!input || !Array.isArray(input.Records) || (!o.throttle && o.entryFailureRate === 0)) {
      const answer = await forward(req, res, op, body);
      if (!answer) return;
      if (answer.status === 200 && input) {
        const output = JSON.parse(answer.body.toString()) as { FailedRecordCount?: number; Records?: unknown[] };
        stats.add(op, 'acceptedEntries', (output.Records?.length ?? 0) - (output.FailedRecordCount ?? 0));
      }
      return finish(req, res, op, reset, answer);
    }
    const entries = input.Records;
    const streamName = streamNameOf(input);
    const verdicts = await judgeEntries(entryJudge(o.entryFailureRate), streamName, entries, authOf(req));
    stats.add(op, 'throttledEntries', verdicts.throttled);
    stats.add(op, 'failedEntries', verdicts.failed);
    const accepted = entries.filter((_, i) => verdicts.errors[i] === undefined);
    let upstreamRecords: PutResultEntry[] = [];
    let answer: Answer = { status: 200, headers: { 'content-type': AMZ_JSON, 'x-amzn-requestid': randomUUID() }, body: Buffer.alloc(0) };
    let output: Record<string, unknown> = {};
    if (accepted.length > 0) {
      const sent = accepted.length === entries.length ? body : Buffer.from(JSON.stringify({ ...input, Records: accepted }));
      const upstreamAnswer = await forward(req, res, op, sent);
      if (!upstreamAnswer) return;
      if (upstreamAnswer.status !== 200) return finish(req, res, op, reset, upstreamAnswer);
      answer = upstreamAnswer;
      output = JSON.parse(answer.body.toString()) as Record<string, unknown>;
      upstreamRecords = output.Records as PutResultEntry[];
    }
    const merged = mergeResults(verdicts, upstreamRecords);
    stats.add(op, 'acceptedEntries', merged.accepted);
    if (merged.mispredicted && streamName !== undefined) shards.invalidate(streamName);
    const reply = { ...output, FailedRecordCount: merged.failedRecordCount, Records: merged.records };
    // With every entry refused nothing was forwarded, so a reset "after" is one before.
    finish(req, res, op, reset === 'after' && accepted.length === 0 ? 'before' : reset, { ...answer, body: Buffer.from(JSON.stringify(reply)) });
  };

  const putRecord = async (req: IncomingMessage, res: ServerResponse, body: Buffer, reset: Reset, o: ResolvedFaultProxyOptions) => {
    const op = 'PutRecord';
    const input = o.throttle ? (parseJson(req, body) as (PutEntry & { StreamName?: string; StreamARN?: string }) | undefined) : undefined;
    const streamName = input && streamNameOf(input);
    let predicted: string | undefined;
    if (input && typeof input.Data === 'string' && typeof input.PartitionKey === 'string') {
      const verdicts = await judgeEntries(entryJudge(0), streamName, [input], authOf(req));
      const error = verdicts.errors[0];
      if (error) {
        stats.add(op, 'throttledEntries');
        // Nothing was forwarded, so a reset "after" is one before.
        if (reset !== undefined) return resetClient(req, op, 'before');
        stats.failedRequest(op, 400);
        return sendKinesisError(res, 400, error.ErrorCode!, error.ErrorMessage!);
      }
      predicted = verdicts.predicted?.[0];
    }
    const answer = await forward(req, res, op, body);
    if (!answer) return;
    if (answer.status === 200) {
      stats.add(op, 'acceptedEntries');
      const shardId = predicted && (JSON.parse(answer.body.toString()) as { ShardId?: string }).ShardId;
      if (shardId && shardId !== predicted && streamName) shards.invalidate(streamName);
    }
    finish(req, res, op, reset, answer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const op = operationOf(req);
    stats.add(op, 'requests');
    const o = resolved;
    if (!o.operations.has(op)) {
      try {
        const upstreamRes = await upstream.send(req.method ?? 'POST', req.url ?? '/', endToEndHeaders(req.headers, true), req);
        stats.add(op, 'forwarded');
        relay(upstreamRes, res);
      } catch (err) {
        upstreamFailed(res, op, err);
      }
      return;
    }
    const body = await readBody(req);
    // The draws happen in a fixed order per request so a seed replays the same decisions.
    const { min, max } = o.latencyMs;
    const latency = min === max ? min : min + random() * (max - min);
    let reset: Reset;
    if (o.connectionResetRate > 0 && random() < o.connectionResetRate) reset = random() < o.resetAfterForward ? 'after' : 'before';
    let failure: 500 | 503 | undefined;
    if (reset === undefined && o.requestFailureRate > 0 && random() < o.requestFailureRate) failure = random() < 0.5 ? 500 : 503;
    if (latency > 0) await sleep(latency);
    if (closed || req.socket.destroyed) return;
    if (reset === 'before') return resetClient(req, op, reset);
    if (failure === 500) {
      stats.failedRequest(op, 500);
      return sendKinesisError(res, 500, 'InternalFailure', 'Internal service failure (injected by the fault proxy).');
    }
    if (failure === 503) {
      stats.failedRequest(op, 503);
      return sendKinesisError(res, 503, 'ServiceUnavailable', 'Service unavailable (injected by the fault proxy).');
    }
    if (op === 'PutRecords') return putRecords(req, res, body, reset, o);
    if (op === 'PutRecord') return putRecord(req, res, body, reset, o);
    const answer = await forward(req, res, op, body);
    if (answer) finish(req, res, op, reset, answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || req.socket.destroyed) res.destroy();
      else sendKinesisError(res, 500, 'InternalFailure', `fault proxy failed: ${(err as Error).message}`);
    });
  });
  // No idle timeout: a client's keep-alive socket closed by the server while the client reuses
  // it would look like an injected reset. close() destroys the sockets instead.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get stats() {
      return stats.snapshot();
    },
    get options() {
      return resolved;
    },
    configure(faults) {
      const next = resolveFaultProxyOptions(faults, resolved);
      if (faults.seed !== undefined) random = createSeededRandom(next.seed);
      if (next.throttle !== resolved.throttle) limiter = next.throttle ? new ShardWriteLimiter(next.throttle) : undefined;
      resolved = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
        upstream.close();
      });
      return closing;
    },
  };
}
