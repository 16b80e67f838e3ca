import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../internal/clock.ts';
import { InvalidOptionError } from '../errors.ts';
import { defaultLogger } from '../internal/logger.ts';
import { givenOption, warnDeprecated } from '../options/renamed-option.ts';
import { renamedLeaseStoreOptions as renamed } from '../options/renamed-options.ts';
import { integer } from '../options/validate.ts';
import type { Checkpoint, Lease } from './lease.ts';
import type { LeaseStore, LeaseWriteResult } from './lease-store.ts';
import { isConditionFailure, LEASE_OWNER_INDEX, LeaseOwnerIndexMissingError, translateDynamoDbError } from './lease-errors.ts';
import { fromItem, isLeaseItem, LeaseAttribute as A, n, toItem, type LeaseItem } from './lease-serializer.ts';
import { ensureLeaseTable } from './dynamodb-lease-table.ts';
import { actualOwner } from './lease-handoff.ts';

/** Options of {@link DynamoDbLeaseStore}. */
export interface DynamoDbLeaseStoreOptions {
  /** Clock for waiting on table creation. @defaultValue the system clock */
  clock?: Clock | undefined;
  /** How long {@link DynamoDbLeaseStore.ensureTable} waits for the table to become ACTIVE, ms. @defaultValue 300000 */
  tableActiveTimeoutMs?: number | undefined;
  /** @deprecated Use `tableActiveTimeoutMs`; this name goes in the next release. */
  tableActiveTimeoutMillis?: number | undefined;
  /** Items per Scan page; absent means DynamoDB's 1 MB pages. Set it to exercise paging. @defaultValue undefined */
  scanPageSize?: number | undefined;
}

interface Update {
  operation: string;
  leaseKey: string;
  update: string;
  condition: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
  returnOld?: boolean;
}

/**
 * The lease table in DynamoDB, in the KCL 2.x layout (see `lease-serializer.ts` for the
 * attribute names). Ownership writes are conditional on the counter the caller saw (and on who
 * may write the lease, see `checkpointOwner`); a failed condition is the `leaseLost` outcome,
 * every other DynamoDB error is translated in `lease-errors.ts`. Every write but the creation
 * of a lease is an UpdateItem of named attributes, so attributes this framework does not know
 * (the KCL's `entityType`, an operator's own) are never dropped.
 *
 * @example
 * const store = new DynamoDbLeaseStore(createDynamoDbClient(), 'my-application');
 * await store.ensureTable();
 * const leases = await store.listLeases();
 */
export class DynamoDbLeaseStore implements LeaseStore {
  private readonly clock: Clock;
  private readonly tableActiveTimeoutMs: number;
  private readonly scanPageSize: number | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    options: DynamoDbLeaseStoreOptions = {},
  ) {
    if (typeof tableName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
      throw new InvalidOptionError('tableName', 'must be 3–255 characters of a-z, A-Z, 0-9, _ . -', tableName);
    }
    this.clock = options.clock ?? systemClock;
    const timeout = givenOption(options, renamed.tableActiveTimeoutMs);
    // These options take no logger: a deprecated name is told to stderr, once per process.
    if (timeout.deprecated) warnDeprecated(renamed, defaultLogger(), [timeout]);
    this.tableActiveTimeoutMs = timeout.value === undefined ? 300_000 : integer(timeout.field, timeout.value, 0);
    this.scanPageSize = options.scanPageSize;
  }

  ensureTable(): Promise<void> {
    return ensureLeaseTable(this.client, this.tableName, this.clock, this.tableActiveTimeoutMs);
  }

  listLeases(): Promise<Lease[]> {
    return this.scan({});
  }

  listLeaseSegment(segment: number, totalSegments: number): Promise<Lease[]> {
    if (!Number.isInteger(totalSegments) || totalSegments < 1 || totalSegments > MAX_SEGMENTS || !Number.isInteger(segment) || segment < 0 || segment >= totalSegments) {
      throw new RangeError(`a scan segment must be 0 ≤ segment < totalSegments ≤ ${MAX_SEGMENTS} (got ${segment} of ${totalSegments})`);
    }
    return this.scan(totalSegments === 1 ? {} : { Segment: segment, TotalSegments: totalSegments });
  }

  private async scan(segment: { Segment?: number; TotalSegments?: number }): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      // Eventually consistent (half the read cost): a stale counter only makes a take fail its condition.
      const page = await this.call('Scan', () =>
        this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey, Limit: this.scanPageSize, ...segment })),
      );
      // A KCL 3.5 fleet keeps worker metrics and coordinator state in the same table.
      for (const item of page.Items ?? []) if (isLeaseItem(item)) leases.push(fromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return leases;
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(leaseKey), ConsistentRead: true })),
    );
    return Item && isLeaseItem(Item) ? fromItem(Item) : undefined;
  }

  async createLeaseIfNotExists(lease: Lease): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(lease),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': A.leaseKey },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translateDynamoDbError(error, 'PutItem', this.tableName);
    }
  }

  renewLease(lease: Lease, throughputKBps?: number): Promise<LeaseWriteResult> {
    const withThroughput = throughputKBps !== undefined;
    if (withThroughput && !(Number.isFinite(throughputKBps) && throughputKBps >= 0)) {
      throw new RangeError(`throughputKBps must be a finite number ≥ 0 (got ${throughputKBps})`);
    }
    return this.update({
      operation: 'renew',
      leaseKey: lease.leaseKey,
      update: `SET #counter = :next${withThroughput ? ', #throughput = :throughput' : ''}`,
      condition: `#counter = :seen AND ${ACTUAL_OWNER}`,
      names: { '#counter': A.leaseCounter, ...ownerNames, ...(withThroughput ? { '#throughput': A.throughputKBps } : {}) },
      values: { ...counterValues(lease), ':actual': { S: owner(lease, 'renew') }, ...(withThroughput ? { ':throughput': n(throughputKBps) } : {}) },
    });
  }

  takeLease(lease: Lease, owner: string): Promise<LeaseWriteResult> {
    // As the KCL: taking a free lease is no owner switch; taking one from another worker is.
    const switched = lease.leaseOwner !== undefined && lease.leaseOwner !== owner;
    // A hand-off can start without moving the counter, so the take is also fenced on the
    // checkpointOwner it saw; one it saw (a hand-off past its timeout) ends with the take.
    const handoff = lease.checkpointOwner !== undefined;
    return this.update({
      operation: 'take',
      leaseKey: lease.leaseKey,
      update: `SET #owner = :owner, #counter = :next${switched ? ' ADD #switches :one' : ''}${handoff ? ' REMOVE #cpOwner' : ''}`,
      condition: `#counter = :seen AND ${handoff ? '#cpOwner = :cpOwner' : 'attribute_not_exists(#cpOwner)'}`,
      names: { ...ownerNames, '#counter': A.leaseCounter, ...(switched ? { '#switches': A.ownerSwitchesSinceCheckpoint } : {}) },
      values: {
        ...counterValues(lease),
        ':owner': { S: owner },
        ...(switched ? { ':one': n(1) } : {}),
        ...(handoff ? { ':cpOwner': { S: lease.checkpointOwner! } } : {}),
      },
    });
  }

  async checkpoint(lease: Lease, checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<LeaseWriteResult> {
    const withState = state !== undefined;
    return this.update({
      operation: 'checkpoint',
      leaseKey: lease.leaseKey,
      update: `SET #cp = :cp, #sub = :sub, #switches = :zero, #counter = :next${withState ? ', #state = :state' : ''} REMOVE #pending, #pendingSub`,
      condition: `#counter = :seen AND ${ACTUAL_OWNER}`,
      names: {
        '#cp': A.checkpoint,
        '#sub': A.checkpointSubSequenceNumber,
        '#switches': A.ownerSwitchesSinceCheckpoint,
        '#counter': A.leaseCounter,
        ...ownerNames,
        '#pending': A.pendingCheckpoint,
        '#pendingSub': A.pendingCheckpointSubSequenceNumber,
        ...(withState ? { '#state': A.checkpointState } : {}),
      },
      values: {
        ...counterValues(lease),
        ':actual': { S: owner(lease, 'checkpoint') },
        ':cp': { S: checkpoint },
        ':sub': n(subSequenceNumber),
        ':zero': n(0),
        ...(withState ? { ':state': { S: state } } : {}),
      },
    });
  }

  async releaseLease(lease: Lease): Promise<LeaseWriteResult> {
    // Releasing a lease this worker is handing off (KCL 3.x) completes the hand-off, as the
    // KCL's own release does: the new owner in leaseOwner may take over at once.
    const handoff = lease.checkpointOwner !== undefined;
    return this.update({
      operation: 'release',
      leaseKey: lease.leaseKey,
      update: `REMOVE ${handoff ? '#cpOwner' : '#owner'} SET #counter = :next`,
      condition: `#counter = :seen AND ${handoff ? '#cpOwner = :actual' : '#owner = :actual AND attribute_not_exists(#cpOwner)'}`,
      names: { ...(handoff ? { '#cpOwner': A.checkpointOwner } : ownerNames), '#counter': A.leaseCounter },
      values: { ...counterValues(lease), ':actual': { S: owner(lease, 'release') } },
    });
  }

  async listLeaseKeysOwnedBy(owner: string): Promise<string[]> {
    const keys: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LEASE_OWNER_INDEX,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': A.leaseOwner },
            ExpressionAttributeValues: { ':owner': { S: owner } },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        // DynamoDB says "The table does not have the specified index", or that it is still backfilling.
        const e = error as { name?: string; message?: string };
        if (e?.name === 'ValidationException' && /index/i.test(e.message ?? '')) throw new LeaseOwnerIndexMissingError(this.tableName, e.message ?? e.name, error);
        throw translateDynamoDbError(error, 'Query', this.tableName);
      }
      for (const item of page.Items ?? []) if (item[A.leaseKey]?.S !== undefined) keys.push(item[A.leaseKey].S!);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return keys;
  }

  handOffLease(lease: Lease, successor: string): Promise<LeaseWriteResult> {
    return this.update({
      operation: 'handOff',
      leaseKey: lease.leaseKey,
      update: 'SET #owner = :successor, #counter = :next ADD #switches :one',
      condition: '#counter = :seen AND #owner = :actual AND attribute_not_exists(#cpOwner)',
      names: { ...ownerNames, '#counter': A.leaseCounter, '#switches': A.ownerSwitchesSinceCheckpoint },
      values: { ...counterValues(lease), ':actual': { S: owner(lease, 'handOff') }, ':successor': { S: successor }, ':one': n(1) },
    });
  }

  claimLease(leaseKey: string, owner: string): Promise<LeaseWriteResult> {
    return this.update({
      operation: 'claim',
      leaseKey,
      update: 'ADD #counter :one',
      condition: '#owner = :owner AND attribute_not_exists(#cpOwner)',
      names: { ...ownerNames, '#counter': A.leaseCounter },
      values: { ':owner': { S: owner }, ':one': n(1) },
    });
  }

  async deleteLease(lease: Lease): Promise<LeaseWriteResult> {
    const owned = lease.leaseOwner !== undefined;
    try {
      const { Attributes } = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          ConditionExpression: owned ? '#owner = :owner' : 'attribute_exists(#key) AND attribute_not_exists(#owner)',
          ExpressionAttributeNames: owned ? { '#owner': A.leaseOwner } : { '#owner': A.leaseOwner, '#key': A.leaseKey },
          ExpressionAttributeValues: owned ? { ':owner': { S: lease.leaseOwner! } } : undefined,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'ok', lease: Attributes ? fromItem(Attributes) : lease };
    } catch (error) {
      if (isConditionFailure(error)) return { outcome: 'leaseLost', leaseKey: lease.leaseKey };
      throw translateDynamoDbError(error, 'delete (DeleteItem)', this.tableName);
    }
  }

  updateChildShardIds(leaseKey: string, childShardIds: readonly string[]): Promise<LeaseWriteResult> {
    const none = childShardIds.length === 0;
    return this.update({
      operation: 'updateChildShardIds',
      leaseKey,
      update: none ? 'REMOVE #children' : 'SET #children = :children',
      condition: 'attribute_exists(#key)',
      names: { '#children': A.childShardIds, '#key': A.leaseKey },
      values: none ? {} : { ':children': { SS: [...childShardIds] } },
    });
  }

  private async update(u: Update): Promise<LeaseWriteResult> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(u.leaseKey),
          UpdateExpression: u.update,
          ConditionExpression: u.condition,
          ExpressionAttributeNames: u.names,
          ExpressionAttributeValues: Object.keys(u.values).length > 0 ? u.values : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'ok', lease: fromItem(Attributes as LeaseItem) };
    } catch (error) {
      if (isConditionFailure(error)) return { outcome: 'leaseLost', leaseKey: u.leaseKey };
      throw translateDynamoDbError(error, `${u.operation} (UpdateItem)`, this.tableName);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateDynamoDbError(error, operation, this.tableName);
    }
  }
}

/** DynamoDB's limit on `TotalSegments`. */
const MAX_SEGMENTS = 1_000_000;

function key(leaseKey: string): Record<string, AttributeValue> {
  return { [A.leaseKey]: { S: leaseKey } };
}

function counterValues(lease: Lease): Record<string, AttributeValue> {
  return { ':seen': n(lease.leaseCounter), ':next': n(lease.leaseCounter + 1) };
}

/**
 * The worker the caller's view says may write the lease (`:actual`) still may: it is the owner
 * and no hand-off is in progress, or it is the old owner of a KCL 3.x hand-off, which keeps
 * checkpointing and renewing until it lets go. A hand-off started toward or by another worker,
 * even without a counter change, fails the condition.
 */
const ACTUAL_OWNER = '((#owner = :actual AND attribute_not_exists(#cpOwner)) OR #cpOwner = :actual)';
const ownerNames = { '#owner': A.leaseOwner, '#cpOwner': A.checkpointOwner };

function owner(lease: Lease, operation: string): string {
  const actual = actualOwner(lease);
  if (actual === undefined) throw new TypeError(`${operation} needs the lease as its owner holds it (leaseOwner is absent)`);
  return actual;
}
