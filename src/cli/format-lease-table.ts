import type { LeaseRow } from '../leases/describe-lease-table.ts';

/** The rows as a fixed-width table; a lease in a KCL 3.x hand-off shows `new-owner (from old-owner)`. */
export function formatLeaseTable(rows: LeaseRow[]): string {
  const lines = [['shard', 'owner', 'counter', 'checkpoint', 'lag'].join('\t')];
  for (const r of rows) {
    const checkpoint = /^\d+$/.test(r.checkpoint) ? `…${r.checkpoint.slice(-10)}/${r.subSequenceNumber}` : r.checkpoint;
    const lag = r.lagMs === undefined ? '-' : r.lagMs === 0 ? 'caught up' : `${(r.lagMs / 1000).toFixed(1)} s`;
    const owner = `${r.owner ?? '(free)'}${r.handingOverFrom === undefined ? '' : ` (from ${r.handingOverFrom})`}`;
    lines.push([r.shardId, owner, String(r.leaseCounter), checkpoint, lag].join('\t'));
  }
  return columns(lines);
}

function columns(lines: string[]): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
