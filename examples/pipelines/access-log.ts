import { appendFile, rename } from 'node:fs/promises';

/** Columns of the generated access log, in order (the agent's CSV field names). */
export const ACCESS_LOG_FIELDS = ['ts', 'ip', 'email', 'name', 'userId', 'region', 'gender', 'path'] as const;

const PAGES = ['/home', '/products', '/cart', '/checkout'];
const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const GENDERS = ['female', 'male', 'unspecified'];

/** What the generator wrote: every line, the favicon requests among them, and event-time minutes. */
export interface WrittenLog {
  lines: number;
  favicon: number;
  /** Clicks (not favicon) per page and per event-time minute, `${minuteIso} ${page}`. */
  perPageMinute: Map<string, number>;
}

/**
 * Appends `count` access-log lines to `path`, `perChunk` at a time, rotating the file
 * (rename to `.1`, start a new one) once halfway, as logrotate would. Event time starts at
 * `start` and moves `stepMs` per line, so a few seconds of writing span several minutes.
 */
export async function writeAccessLog(path: string, count: number, options: { start: number; stepMs: number; perChunk: number; pauseMs: number }): Promise<WrittenLog> {
  const written: WrittenLog = { lines: 0, favicon: 0, perPageMinute: new Map() };
  for (let i = 0; i < count; i += options.perChunk) {
    if (i >= count / 2 && i - options.perChunk < count / 2) await rename(path, `${path}.1`);
    let chunk = '';
    for (let j = i; j < Math.min(count, i + options.perChunk); j++) {
      const ts = options.start + j * options.stepMs;
      const favicon = j % 10 === 9;
      const path_ = favicon ? '/favicon.ico' : PAGES[(j * 7) % PAGES.length];
      const user = j % 50;
      chunk += [new Date(ts).toISOString(), `203.0.113.${user}`, `user${user}@example.com`, `"Doe, User ${user}"`, `user-${user}`, REGIONS[user % REGIONS.length], GENDERS[user % GENDERS.length], path_].join(',') + '\n';
      written.lines++;
      if (favicon) written.favicon++;
      else {
        const key = `${new Date(Math.floor(ts / 60_000) * 60_000).toISOString()} ${path_}`;
        written.perPageMinute.set(key, (written.perPageMinute.get(key) ?? 0) + 1);
      }
    }
    await appendFile(path, chunk);
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return written;
}
