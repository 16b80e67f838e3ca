/** Bytes per read unit: one strongly consistent read of up to 4 KB (two eventually consistent ones). */
export const READ_UNIT_BYTES = 4096;
/** Bytes per write unit: one write of up to 1 KB. */
export const WRITE_UNIT_BYTES = 1024;
/** A Scan or Query page stops once it has read 1 MB. */
export const PAGE_BYTES = 1024 * 1024;

/**
 * Read units of one GetItem, or of one Scan or Query page (whose items' sizes are summed first,
 * then rounded up to 4 KB, as DynamoDB does per page): half as much when eventually consistent;
 * at least one 4 KB block even when nothing was found.
 */
export function readUnits(bytes: number, consistent: boolean): number {
  const blocks = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? blocks : blocks / 2;
}

/**
 * Write units of one PutItem, UpdateItem or DeleteItem: by the larger of the item before and
 * after, rounded up to 1 KB. A write whose condition fails costs the same (DynamoDB bills it).
 */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}
