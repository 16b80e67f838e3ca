import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveProducerOptions } from '../../../src/producer/options.ts';
import { resolveConsumerOptions } from '../../../src/consumer/options.ts';
import { resolveErrorHandlingOptions } from '../../../src/consumer/error-handling/options.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The rows of the options table that follows `heading` in the README: each row's option names and its default cell. */
function optionRows(heading: string): { names: string[]; defaultCell: string }[] {
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`the README has no '${heading}'`);
  const lines = readme.slice(at).split('\n');
  const header = lines.findIndex((line) => line.startsWith('| option | default |'));
  const rows: { names: string[]; defaultCell: string }[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [optionCell, defaultCell] = line.slice(2).split(' | ');
    rows.push({ names: [...optionCell.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]), defaultCell });
  }
  return rows;
}

const UNITS: Record<string, number> = { ms: 1, '%': 1, KiB: 1024, MiB: 2 ** 20 };

/** A default as the README writes it, when it is a value rather than words: `100 ms`, `64 MiB`, `−1`, `true`, `'wait'`. */
function documentedValue(cell: string): unknown {
  const number = /^(−?[\d,.]+)(?: (ms|%|KiB|MiB))?$/.exec(cell);
  if (number) return Number(number[1].replace(/,/g, '').replace('−', '-')) * UNITS[number[2] ?? 'ms'];
  const literal = /^`(true|false|'[^']*')`$/.exec(cell);
  if (literal) return literal[1] === 'true' ? true : literal[1] === 'false' ? false : literal[1].slice(1, -1);
  return undefined;
}

/** What the code resolves an option to when it is not given; a choice resolved to `{ type }` compares by its type. */
function resolvedValue(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'type' in value ? value.type : value;
}

describe("the README's option tables", () => {
  const tables = [
    { heading: 'Options of `createProducer()`:', resolved: resolveProducerOptions({ streamName: 'clicks' }), valued: 20 },
    {
      heading: 'Options of `createConsumer()`:',
      resolved: resolveConsumerOptions({ streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} }),
      valued: 15,
    },
    { heading: '`errorHandling` (with `handler`):', resolved: resolveErrorHandlingOptions({}), valued: 6 },
  ];

  for (const { heading, resolved, valued } of tables) {
    it(`give the defaults the code resolves, and name only options it has: ${heading}`, () => {
      const options = resolved as unknown as Record<string, unknown>;
      const mismatches: string[] = [];
      let checked = 0;
      for (const { names, defaultCell } of optionRows(heading)) {
        // `a` / `b` rows give one default per name, in order.
        const cells = names.length > 1 && defaultCell.includes(' / ') ? defaultCell.split(' / ').map((c) => c.trim()) : names.map(() => defaultCell);
        names.forEach((name, i) => {
          if (!(name in options)) mismatches.push(`${name}: not an option`);
          const documented = documentedValue(cells[i]);
          if (documented === undefined) return;
          checked++;
          const actual = resolvedValue(options[name]);
          if (actual !== documented) mismatches.push(`${name}: the README says ${String(documented)}, the code ${String(actual)}`);
        });
      }
      expect(mismatches).toEqual([]);
      // Most rows give a value: a table whose format changed under this parser must not pass by checking nothing.
      expect(checked).toBeGreaterThanOrEqual(valued);
    });
  }
});
