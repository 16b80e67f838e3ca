import { LineFormatError } from './errors.ts';

/** CSV→JSON conversion of each line, like the Kinesis Agent's CSVTOJSON. */
export interface CsvFormat {
  /** Names of the fields, in column order; a row must have exactly this many fields. */
  fieldNames: string[];
  /** One-character field delimiter. @defaultValue ',' */
  delimiter?: string;
}

/**
 * Splits one CSV row into its fields. Fields may be quoted with `"`; inside quotes the
 * delimiter is literal and `""` is one quote. A quoted field spans one line only.
 * Throws {@link LineFormatError} on an unterminated quote or text after a closing quote.
 * @internal
 */
export function splitCsvRow(row: string, delimiter = ','): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (row[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = row.indexOf('"', i);
        if (close < 0) throw new LineFormatError(`CSV row has an unterminated quote in field ${fields.length + 1}`);
        value += row.slice(i, close);
        if (row[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === row.length) return fields;
      if (!row.startsWith(delimiter, i)) throw new LineFormatError(`CSV row has text after the closing quote of field ${fields.length}`);
      i += delimiter.length;
    } else {
      const next = row.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(row.slice(i));
        return fields;
      }
      fields.push(row.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/**
 * Converts one CSV row into an object keyed by `fieldNames` (values stay strings).
 * Throws {@link LineFormatError} when the row is malformed or has another number of fields.
 *
 * @example
 * csvToObject('1;"a;b"', { fieldNames: ['id', 'name'], delimiter: ';' }); // { id: '1', name: 'a;b' }
 */
export function csvToObject(row: string, format: CsvFormat): Record<string, string> {
  const fields = splitCsvRow(row, format.delimiter ?? ',');
  if (fields.length !== format.fieldNames.length) {
    throw new LineFormatError(`CSV row has ${fields.length} fields, expected ${format.fieldNames.length} (${format.fieldNames.join(', ')})`);
  }
  const out: Record<string, string> = {};
  format.fieldNames.forEach((name, index) => (out[name] = fields[index]));
  return out;
}
