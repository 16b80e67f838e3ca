import { describe, expect, it } from 'vitest';
import { copyRows } from '../../../../src/stages/sink/postgres/copy-text.ts';
import { resolvePostgresDestinationOptions } from '../../../../src/stages/sink/postgres/postgres-options.ts';
import { comparePositions, sourceRange, type SinkRecord } from '../../../../src/stages/sink/sink-record.ts';

const record = (line: string, sequenceNumber?: string, subSequenceNumber = 0, shardId = 'shardId-1'): SinkRecord => ({
  value: JSON.parse(line) as unknown,
  line,
  source: sequenceNumber === undefined ? undefined : { shardId, sequenceNumber, subSequenceNumber },
  eventTime: undefined,
});

describe('postgresDestination pieces', () => {
  it('writes COPY text rows, escaping what the text format reserves, \\N for records without a position', () => {
    const rows = [...copyRows([record('{"a":"x\\\\y"}', '12', 3), record('{"b":1}')])].join('');
    expect(rows).toBe('12\t3\t{"a":"x\\\\\\\\y"}\n\\N\t\\N\t{"b":1}\n');
    const custom: SinkRecord = { value: null, line: 'tab\there\r\nnext', source: undefined, eventTime: undefined };
    expect([...copyRows([custom])].join('')).toBe('\\N\t\\N\ttab\\there\\r\\nnext\n');
    expect([...copyRows(Array.from({ length: 10 }, () => record('{"n":1}', '1')), 20)]).toHaveLength(5);
  });

  it('orders positions by sequence number as integers, then sub-sequence number', () => {
    const p = (sequenceNumber: string, subSequenceNumber = 0) => ({ shardId: 's', sequenceNumber, subSequenceNumber });
    expect(comparePositions(p('9'), p('10'))).toBeLessThan(0);
    expect(comparePositions(p('100'), p('99'))).toBeGreaterThan(0);
    expect(comparePositions(p('5', 2), p('5', 1))).toBeGreaterThan(0);
    expect(comparePositions(p('5', 1), p('5', 1))).toBe(0);
    expect(sourceRange([record('{}', '10'), record('{}', '9', 4), record('{}', '11')])).toMatchObject({ first: { sequenceNumber: '9', subSequenceNumber: 4 }, last: { sequenceNumber: '11' } });
    expect(sourceRange([record('{}', '10'), record('{}', '11', 0, 'shardId-2')])).toBeUndefined();
    expect(sourceRange([record('{}', '10'), record('{}')])).toBeUndefined();
  });

  it('quotes table names and refuses ones that are not plain identifiers', () => {
    expect(resolvePostgresDestinationOptions({ table: 'analytics.clicks' })).toMatchObject({ tableSql: '"analytics"."clicks"', ledgerSql: '"kinesis_actors_load_ledger"', maxConnections: 4 });
    expect(() => resolvePostgresDestinationOptions({ table: 'clicks; DROP TABLE x' })).toThrow(/options.table must be a table name/);
    expect(() => resolvePostgresDestinationOptions({ table: 'a.b.c' })).toThrow(/options.table/);
    expect(() => resolvePostgresDestinationOptions({ table: 't', ledgerTable: '"x"' })).toThrow(/options.ledgerTable/);
    expect(() => resolvePostgresDestinationOptions({ table: 't', columns: [] })).toThrow(/options.columns must be a non-empty array/);
    expect(() => resolvePostgresDestinationOptions({ table: 't', columns: ['ok', 'bad col'] })).toThrow(/options.columns/);
    expect(() => resolvePostgresDestinationOptions({ table: 't', maxConnections: 0 })).toThrow(/options.maxConnections must be an integer from 1 to 100/);
  });
});
