import { randomUUID } from 'node:crypto';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The key of one object, named as Firehose names them:
 * `${prefix}YYYY/MM/DD/HH/${name}-yyyy-MM-dd-HH-mm-ss-${random}` (+ `.gz`), all in UTC of
 * `openedAt`, the time the object's buffer received its first record. @internal
 */
export function objectKey(prefix: string, name: string, openedAt: number, gzip: boolean): string {
  const t = new Date(openedAt);
  const [y, mo, d, h] = [pad(t.getUTCFullYear(), 4), pad(t.getUTCMonth() + 1), pad(t.getUTCDate()), pad(t.getUTCHours())];
  const stamp = `${y}-${mo}-${d}-${h}-${pad(t.getUTCMinutes())}-${pad(t.getUTCSeconds())}`;
  return `${prefix}${y}/${mo}/${d}/${h}/${name}-${stamp}-${randomUUID()}${gzip ? '.gz' : ''}`;
}
