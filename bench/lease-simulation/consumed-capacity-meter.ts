import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readUnits, writeUnits } from './capacity-units.ts';
import { itemSize } from './item-size.ts';

type Item = Record<string, AttributeValue>;

/** What one DynamoDB operation cost a client, as DynamoDB reported it and as its items say. */
export interface RequestFigures {
  /** Commands sent (a Scan command is one page); SDK retries of one command count once. */
  calls: number;
  /** The sum of `ConsumedCapacity.CapacityUnits` in the responses. */
  reportedUnits: number;
  /** Calls whose response carried no ConsumedCapacity (a failed condition is an error, and errors carry none). */
  unreported: number;
  /**
   * Units by DynamoDB's rules from the items on the wire: a read by the items it returned (per
   * page), a write by the item it wrote or returned (ALL_NEW, ALL_OLD), a failed condition by
   * the item it met, which is not on the wire: counted as 1 unit, true while every item is
   * under 1 KB (see `maxItemBytes`).
   */
  computedUnits: number;
  conditionFailed: number;
  /** Other errors. */
  errors: number;
  /** Items the reads returned. */
  items: number;
  /** The largest item seen, in DynamoDB's bytes. */
  maxItemBytes: number;
}

export type ClientFigures = Record<string, RequestFigures>;

const empty = (): RequestFigures => ({ calls: 0, reportedUnits: 0, unreported: 0, computedUnits: 0, conditionFailed: 0, errors: 0, items: 0, maxItemBytes: 0 });

/** The operations that bill capacity (DescribeTable and CreateTable do not). */
const BILLED = new Set(['Scan', 'Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);

interface Input {
  ReturnConsumedCapacity?: string;
  ConsistentRead?: boolean;
  Item?: Item;
}
interface Output {
  ConsumedCapacity?: { CapacityUnits?: number };
  Items?: Item[];
  Item?: Item;
  Attributes?: Item;
}

/**
 * Meters a DynamoDB client with an SDK middleware: every billed command is sent with
 * `ReturnConsumedCapacity: 'TOTAL'`, and per operation the calls, the units the service
 * reported, and the units its items cost by DynamoDB's rules are summed, in all and per
 * `phaseOf()` as the command was sent (so a late reading still splits them by when they went).
 */
export class ConsumedCapacityMeter {
  readonly figures: ClientFigures = {};
  readonly byPhase: Record<string, ClientFigures> = {};
  /** The errors other than failed conditions, by name. */
  readonly errorNames: Record<string, number> = {};

  constructor(private readonly phaseOf: () => string = () => 'all') {}

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        if (!BILLED.has(operation)) return next(args);
        const input = { ...(args.input as Input), ReturnConsumedCapacity: 'TOTAL' };
        const phase = (this.byPhase[this.phaseOf()] ??= {});
        const f = [(this.figures[operation] ??= empty()), (phase[operation] ??= empty())];
        for (const each of f) each.calls++;
        try {
          const result = await next({ ...args, input });
          for (const each of f) this.record(each, operation, input, result.output as Output);
          return result;
        } catch (error) {
          const conditionFailed = (error as { name?: string }).name === 'ConditionalCheckFailedException';
          for (const each of f) {
            if (conditionFailed) {
              each.conditionFailed++;
              each.unreported++;
              each.computedUnits += 1;
            } else each.errors++;
          }
          if (!conditionFailed) {
            const name = (error as { name?: string }).name ?? 'Error';
            this.errorNames[name] = (this.errorNames[name] ?? 0) + 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'consumedCapacityMeter' },
    );
  }

  private record(f: RequestFigures, operation: string, input: Input, output: Output): void {
    const units = output.ConsumedCapacity?.CapacityUnits;
    if (units === undefined) f.unreported++;
    else f.reportedUnits += units;
    const size = (item: Item | undefined) => {
      if (!item) return 0;
      const bytes = itemSize(item);
      f.maxItemBytes = Math.max(f.maxItemBytes, bytes);
      return bytes;
    };
    switch (operation) {
      case 'Scan':
      case 'Query': {
        const items = output.Items ?? [];
        f.items += items.length;
        f.computedUnits += readUnits(items.reduce((sum, item) => sum + size(item), 0), input.ConsistentRead === true);
        break;
      }
      case 'GetItem':
        if (output.Item) f.items++;
        f.computedUnits += readUnits(size(output.Item), input.ConsistentRead === true);
        break;
      case 'PutItem':
        f.computedUnits += writeUnits(size(input.Item));
        break;
      default:
        f.computedUnits += writeUnits(size(output.Attributes));
    }
  }
}

/** Adds client figures up (a fleet's processes), or takes `minus` away (figures between two readings). */
export function sumFigures(all: readonly ClientFigures[], minus?: ClientFigures): ClientFigures {
  const sum: ClientFigures = {};
  for (const figures of all) {
    for (const [operation, f] of Object.entries(figures)) {
      const s = (sum[operation] ??= empty());
      for (const key of Object.keys(f) as Array<keyof RequestFigures>) {
        s[key] = key === 'maxItemBytes' ? Math.max(s[key], f[key]) : s[key] + f[key];
      }
    }
  }
  for (const [operation, f] of Object.entries(minus ?? {})) {
    const s = (sum[operation] ??= empty());
    for (const key of Object.keys(f) as Array<keyof RequestFigures>) if (key !== 'maxItemBytes') s[key] -= f[key];
  }
  return sum;
}
