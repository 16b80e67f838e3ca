import { KinesisActorsError } from '../errors.ts';

/**
 * This worker no longer holds the lease of `shardId`: a fenced write found another counter or
 * owner. Stop processing the shard and do not checkpoint it again; never retriable.
 */
export class LeaseLostError extends KinesisActorsError {
  readonly shardId: string;

  constructor(shardId: string, detail: string) {
    super('LEASE_LOST', `lease of ${shardId} lost: ${detail}`);
    this.name = 'LeaseLostError';
    this.shardId = shardId;
  }
}

/** The lease table exists with a key schema the KCL layout cannot use; never retriable. */
export class LeaseTableSchemaError extends KinesisActorsError {
  readonly tableName: string;
  readonly found: string;
  readonly required: string;

  constructor(tableName: string, found: string, required: string) {
    super(
      'LEASE_TABLE_SCHEMA',
      `lease table ${JSON.stringify(tableName)} has key schema ${found}, but a lease table needs ${required}: ` +
        'use another table name or delete the table',
    );
    this.name = 'LeaseTableSchemaError';
    this.tableName = tableName;
    this.found = found;
    this.required = required;
  }
}

/**
 * An item of the lease table claims to be a lease (it has a `leaseCounter`, or `entityType`
 * LEASE) but cannot be read as one: a missing checkpoint, a wrong type. It is reported rather
 * than skipped, because a skipped lease is a shard nobody reads, silently. Repair or delete the
 * item; never retriable. Its code stays `LEASE_STORE_ERROR`.
 */
export class MalformedLeaseError extends KinesisActorsError {
  readonly leaseKey: string;
  readonly reason: string;

  constructor(leaseKey: string, reason: string) {
    super('LEASE_STORE_ERROR', `lease item ${JSON.stringify(leaseKey)} is malformed: ${reason}; repair or delete the item`);
    this.name = 'MalformedLeaseError';
    this.leaseKey = leaseKey;
    this.reason = reason;
  }
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const TRANSIENT = new Set(['InternalServerError', 'ServiceUnavailable', 'TransactionConflictException', 'TimeoutError']);
const NETWORK = /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH)$/;

/** True when the SDK error is DynamoDB refusing a conditional write: the fencing said no. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * Translates what the DynamoDB SDK threw into a framework error; the one place that knows
 * DynamoDB error shapes. Throttling becomes `THROTTLED`, 5xx and network failures a retriable
 * `LEASE_STORE_ERROR`, anything else (a missing table, bad credentials, validation) a
 * non-retriable one. Programming errors are returned as they are so they crash.
 */
export function translateDynamoDbError(error: unknown, operation: string, tableName: string): Error {
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) return error;
  if (error instanceof KinesisActorsError) return error;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const where = `${operation} on lease table ${tableName}`;
  if (THROTTLING.has(name)) {
    return new KinesisActorsError('THROTTLED', `${where} was throttled: ${e.message ?? name}`, { retriable: true, cause: error });
  }
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  const retriable = TRANSIENT.has(name) || (status !== undefined && status >= 500) || (typeof code === 'string' && NETWORK.test(code));
  const detail = status ? `${name} (HTTP ${status})` : code ? `${name} (${code})` : name;
  return new KinesisActorsError('LEASE_STORE_ERROR', `${where} failed: ${detail}: ${e?.message ?? ''}`.trim(), { retriable, cause: error });
}

/**
 * The lease table has no `LeaseOwnerToLeaseKeyIndex` (a table another tool created, or one whose
 * index is still being built): a worker cannot look up the leases handed to it, so the fleet
 * falls back to finding them by scanning. Code `LEASE_STORE_ERROR`; never retriable.
 */
export class LeaseOwnerIndexMissingError extends KinesisActorsError {
  readonly tableName: string;

  constructor(tableName: string, detail: string, cause?: unknown) {
    super('LEASE_STORE_ERROR', `lease table ${JSON.stringify(tableName)} has no usable index ${LEASE_OWNER_INDEX}: ${detail}`, { cause });
    this.name = 'LeaseOwnerIndexMissingError';
    this.tableName = tableName;
  }
}

/** KCL 3.x's keys-only index on `leaseOwner`: the same name, key and projection, so a KCL 3.x fleet and this one share it. */
export const LEASE_OWNER_INDEX = 'LeaseOwnerToLeaseKeyIndex';
