/** What a {@link FaultProxy} did, in total or for one operation. */
export interface FaultProxyCounters {
  /** Requests received. */
  requests: number;
  /** Requests sent upstream (a PutRecords whose entries were all rejected is not). */
  forwarded: number;
  /** Requests the proxy answered with an injected error, by HTTP status (500, 503; 400 for a throttled PutRecord). */
  failedRequests: Record<number, number>;
  /** Connections destroyed instead of answering, before or after forwarding. */
  connectionResets: number;
  /** The part of `connectionResets` made after the upstream answered: the client never hears of writes that happened. */
  resetsAfterForward: number;
  /** Entries rejected with ProvisionedThroughputExceededException. */
  throttledEntries: number;
  /** Entries rejected with an injected InternalFailure. */
  failedEntries: number;
  /** Entries the upstream wrote, whether or not the client got the answer. */
  acceptedEntries: number;
  /** Requests the upstream could not be reached for (answered with 500 InternalFailure). */
  upstreamErrors: number;
}

/** Totals plus the same counters per X-Amz-Target operation. */
export interface FaultProxyStats extends FaultProxyCounters {
  operations: Record<string, FaultProxyCounters>;
}

type CountField = Exclude<keyof FaultProxyCounters, 'failedRequests'>;

function emptyCounters(): FaultProxyCounters {
  return {
    requests: 0,
    forwarded: 0,
    failedRequests: {},
    connectionResets: 0,
    resetsAfterForward: 0,
    throttledEntries: 0,
    failedEntries: 0,
    acceptedEntries: 0,
    upstreamErrors: 0,
  };
}

function copy(counters: FaultProxyCounters): FaultProxyCounters {
  return { ...counters, failedRequests: { ...counters.failedRequests } };
}

/** Counts what the proxy does, in total and per operation. @internal */
export class FaultProxyStatsRecorder {
  private readonly total = emptyCounters();
  private readonly operations = new Map<string, FaultProxyCounters>();

  add(operation: string, field: CountField, n = 1): void {
    if (n === 0) return;
    this.total[field] += n;
    this.of(operation)[field] += n;
  }

  failedRequest(operation: string, status: number): void {
    for (const counters of [this.total, this.of(operation)]) {
      counters.failedRequests[status] = (counters.failedRequests[status] ?? 0) + 1;
    }
  }

  /** A copy that later requests do not change. */
  snapshot(): FaultProxyStats {
    const operations: Record<string, FaultProxyCounters> = {};
    for (const [name, counters] of this.operations) operations[name] = copy(counters);
    return { ...copy(this.total), operations };
  }

  private of(operation: string): FaultProxyCounters {
    let counters = this.operations.get(operation);
    if (counters === undefined) this.operations.set(operation, (counters = emptyCounters()));
    return counters;
  }
}
