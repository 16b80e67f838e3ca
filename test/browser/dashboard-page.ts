import type { Page } from 'playwright-core';

/** One shard row as the page shows it. */
export interface ShownShard {
  shardId: string;
  owner: string;
  writeRecordsPerSec: number;
  readRecordsPerSec: number;
  writtenRecords: number;
  readRecords: number;
}

/** One worker row as the page shows it. */
export interface ShownWorker {
  workerId: string;
  leases: number;
  recordsPerSec: number;
}

/** What the page shows now, read from its DOM (not from the snapshot it was sent). */
export async function shown(page: Page): Promise<{ shards: ShownShard[]; workers: ShownWorker[]; moves: string[] }> {
  return page.evaluate(readPage);
}

// Runs in the page, which has the DOM this package's TypeScript does not know of: kept as text.
const readPage = `(() => {
  const number = (text) => (text === '–' || !text ? Number.NaN : Number(text.replace(/,/g, '')));
  const field = (row, name) => row.querySelector('[data-field="' + name + '"]')?.textContent ?? '';
  return {
    shards: [...document.querySelectorAll('#shards tbody tr')].map((row) => ({
      shardId: row.getAttribute('data-shard'),
      owner: field(row, 'owner'),
      writeRecordsPerSec: number(field(row, 'writeRecordsPerSec')),
      readRecordsPerSec: number(field(row, 'readRecordsPerSec')),
      writtenRecords: number(field(row, 'writtenRecords')),
      readRecords: number(field(row, 'readRecords')),
    })),
    workers: [...document.querySelectorAll('#workers tbody tr')].map((row) => ({
      workerId: row.getAttribute('data-worker'),
      leases: number(field(row, 'leases')),
      recordsPerSec: number(field(row, 'recordsPerSec')),
    })),
    moves: [...document.querySelectorAll('#moves li')].map((li) => li.textContent ?? ''),
  };
})()`;

/**
 * How long a browser test may take: generous, as the suite runs on a shared, busy machine; the
 * tests wait on conditions, and this only bounds a test that would otherwise never end.
 */
export const browserTestTimeoutMs = 600_000;

/**
 * Polls `probe` until it returns a value `accept` takes, and returns it; on timeout, fails with
 * the last value seen, so that a failure says what the page showed.
 */
export async function until<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = browserTestTimeoutMs - 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
