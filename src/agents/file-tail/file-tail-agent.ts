import { open, stat } from 'node:fs/promises';
import { createActor, type AnyActorRef } from 'xstate';
import { sleepUnlessAborted, systemClock } from '../../internal/clock.ts';
import { KinesisActorsError } from '../../errors.ts';
import { defaultLogger, type Logger } from '../../internal/logger.ts';
import { jitteredBackoff } from '../../internal/backoff.ts';
import { Supervisor } from '../../supervision/supervisor.ts';
import { readCheckpointFile, writeCheckpointFile, type FilePosition } from './checkpoint-file.ts';
import { csvToObject } from './csv.ts';
import { LineFormatError } from './errors.ts';
import { compilePattern, matchFiles } from './glob.ts';
import { resolveFileTailOptions, type FileTailAgentOptions, type ResolvedFileTailOptions } from './options.ts';
import { createPollMachine } from './poll.machine.ts';
import { TrackedFile } from './tracked-file.ts';

/** What a file tail agent has done since it started. */
export interface FileTailStats {
  linesRead: number;
  /** Lines Kinesis acknowledged. */
  linesPut: number;
  /** Lines that could not be records (bad CSV or JSON, too long) or were refused for good. */
  linesFailed: number;
  /** Puts retried after a retriable error. */
  retries: number;
  filesTracked: number;
  rotations: number;
  truncations: number;
}

/**
 * Follows files as the Kinesis Agent does and puts every line through a producer (or a
 * producer-side pipeline). Files are followed by identity (device and inode): a rotated file
 * is read to its end while its successor starts from 0; a truncated file starts over. The
 * checkpoint file holds, per file, the offset after the last line Kinesis acknowledged (all
 * earlier lines too), so a restart neither skips nor repeats acknowledged lines.
 *
 * @example
 * const agent = createFileTailAgent({ files: '/var/log/app/*.log', target: producer, checkpointFile: '/var/lib/app/tail.json', format: { csv: { fieldNames: ['ts', 'page'] } } });
 * await agent.start();
 * process.once('SIGTERM', () => agent.close());
 */
export class FileTailAgent {
  private readonly o: ResolvedFileTailOptions;
  private readonly logger: Logger;
  private readonly clock;
  private readonly files = new Map<string, TrackedFile>();
  private readonly patterns;
  private readonly stop = new AbortController();
  private readonly supervisor: Supervisor<AnyActorRef>;
  private readonly inFlight = new Set<Promise<void>>();
  private restored = new Map<string, FilePosition>();
  private firstScan = true;
  private checkpointTimer: unknown;
  /** The checkpoint write under way: writes go one at a time, through the same temporary file. */
  private writing: Promise<void> = Promise.resolve();
  private lastWritten = '';
  private failure: KinesisActorsError | undefined;
  private closing: Promise<void> | undefined;
  readonly stats: FileTailStats = { linesRead: 0, linesPut: 0, linesFailed: 0, retries: 0, filesTracked: 0, rotations: 0, truncations: 0 };

  constructor(options: FileTailAgentOptions) {
    this.o = resolveFileTailOptions(options);
    this.logger = (this.o.logger ?? defaultLogger()).child({ component: 'fileTail' });
    this.clock = this.o.clock ?? systemClock;
    this.patterns = this.o.files.map((p) => compilePattern(p));
    this.supervisor = new Supervisor<AnyActorRef>({
      clock: this.clock,
      logger: this.logger,
      onEscalate: (_id, error) => {
        this.failure = error as KinesisActorsError;
        this.logger.error({ err: error }, 'fileTail.failed');
      },
    });
  }

  /** Reads the checkpoint file (a corrupt one is refused), then starts following. */
  async start(): Promise<void> {
    for (const position of await readCheckpointFile(this.o.checkpointFile)) this.restored.set(`${position.dev}:${position.ino}`, position);
    const wait = (ms: number, wake: () => void) => {
      const handle = this.clock.setTimeout(wake, ms);
      return () => this.clock.clearTimeout(handle);
    };
    this.supervisor.spawn({ id: 'fileTail.poll', create: () => createActor(createPollMachine(() => this.poll(), wait, this.o.pollIntervalMs)) });
    this.scheduleCheckpoint();
  }

  /** Set when the reading loop failed past its restart cap. */
  get error(): KinesisActorsError | undefined {
    return this.failure;
  }

  /**
   * Stops reading, waits until every line read has its final result, writes the checkpoint
   * and closes the files. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      this.supervisor.stopAll();
      this.clock.clearTimeout(this.checkpointTimer);
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      await this.writeCheckpoint();
      await Promise.all([...this.files.values()].map((f) => f.close().catch(() => {})));
      this.logger.info(this.stats, 'fileTail.closed');
    })();
    return this.closing;
  }

  /** One round: find files, read what is new, put each line. */
  private async poll(): Promise<void> {
    if (this.stop.signal.aborted) return;
    await this.scan();
    for (const file of this.files.values()) {
      if (file.pendingLines >= this.o.maxPendingLines) continue;
      const { lines, truncated } = await file.readLines(this.o.maxLineBytes);
      if (truncated) {
        this.stats.truncations++;
        this.logger.info({ file: file.path }, 'fileTail.truncated');
      }
      for (const line of lines) this.putLine(file, line);
    }
    await this.forgetDeleted();
  }

  /** Matches the patterns; follows renamed files by inode; opens new ones. */
  private async scan(): Promise<void> {
    const others = new Set<string>();
    const matched = await matchFiles(this.patterns, others);
    const byKey = new Map<string, string>();
    for (const path of [...matched, ...others]) {
      const s = await stat(path).catch(() => undefined);
      if (s?.isFile()) byKey.set(`${s.dev}:${s.ino}`, path);
    }
    for (const [key, path] of byKey) {
      const known = this.files.get(key);
      if (known) {
        if (known.path !== path) {
          this.stats.rotations++;
          this.logger.info({ from: known.path, to: path }, 'fileTail.rotated');
          known.path = path;
        }
      } else if (matched.includes(path)) {
        await this.follow(path);
      }
    }
    this.firstScan = false;
  }

  private async follow(path: string): Promise<void> {
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      // Renamed or deleted since the directory was listed: the next scan finds it again.
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!handle) return;
    const s = await handle.stat();
    const key = `${s.dev}:${s.ino}`;
    const restored = this.restored.get(key);
    // A checkpointed offset past the end means the file was truncated and reused.
    const offset = restored && restored.offset <= s.size ? restored.offset : this.firstScan && this.o.startPosition === 'end' ? s.size : 0;
    this.restored.delete(key);
    this.files.set(key, new TrackedFile(path, s.dev, s.ino, handle, offset));
    this.stats.filesTracked = this.files.size;
    this.logger.info({ file: path, offset }, 'fileTail.following');
  }

  /**
   * Drops files that were deleted, once read to their end and all their lines settled. A file
   * is judged by its descriptor, not by a directory listing, which a rename can race.
   */
  private async forgetDeleted(): Promise<void> {
    for (const [key, file] of this.files) {
      if (file.pendingLines > 0 || !(await file.deleted())) continue;
      this.files.delete(key);
      await file.close().catch(() => {});
    }
    this.stats.filesTracked = this.files.size;
  }

  private putLine(file: TrackedFile, line: { text: string; end: number; tooLong?: boolean }): void {
    // Read while closing: left unacknowledged, so the next start reads it again.
    if (this.stop.signal.aborted) return;
    const settle = file.track(line.end);
    if (!line.tooLong && line.text.length === 0) return settle();
    this.stats.linesRead++;
    let value: unknown;
    try {
      if (line.tooLong) throw new LineFormatError(`a line of ${file.path} is longer than options.maxLineBytes (${this.o.maxLineBytes})`);
      value = this.convert(line.text);
    } catch (error) {
      this.stats.linesFailed++;
      this.logger.warn({ err: error, file: file.path, end: line.end }, 'fileTail.badLine');
      return settle();
    }
    const done = this.putWithRetries(value, this.o.partitionKey(value, file.path)).then((final) => {
      if (final) settle();
    });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private convert(text: string): unknown {
    const { format } = this.o;
    if (format === 'text') return Buffer.from(text);
    if (format === 'json') {
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new LineFormatError('a line is not JSON', error);
      }
    }
    return csvToObject(text, format.csv);
  }

  /**
   * Retries retriable rejections with backoff until close; a non-retriable one is counted and
   * skipped. True when the line is done with (put or given up on); false when close came first.
   */
  private async putWithRetries(value: unknown, partitionKey: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.target.put(value, { partitionKey });
        this.stats.linesPut++;
        return true;
      } catch (error) {
        const retriable = (error as KinesisActorsError).retriable === true;
        if (!retriable) {
          this.stats.linesFailed++;
          this.logger.warn({ err: error }, 'fileTail.putFailed');
          return true;
        }
        this.stats.retries++;
        // On close, a line still failing stays unacknowledged: the checkpoint stops before it.
        if (!(await sleepUnlessAborted(this.clock, jitteredBackoff(attempt, 100, 5_000), this.stop.signal))) return false;
      }
    }
  }

  private scheduleCheckpoint(): void {
    this.checkpointTimer = this.clock.setTimeout(() => {
      void this.writeCheckpoint()
        .catch((error: unknown) => this.logger.error({ err: error, file: this.o.checkpointFile }, 'fileTail.checkpointFailed'))
        .finally(() => {
          if (!this.stop.signal.aborted) this.scheduleCheckpoint();
        });
    }, this.o.checkpointIntervalMs);
  }

  /**
   * Writes the positions as they are when the write starts. A write waits for the one under way
   * (close() can come while the timer's write runs), so the last one written is the newest.
   */
  private writeCheckpoint(): Promise<void> {
    const write = this.writing.then(() => this.writeCheckpointNow());
    this.writing = write.catch(() => {});
    return write;
  }

  private async writeCheckpointNow(): Promise<void> {
    const positions: FilePosition[] = [...this.files.values()].map((f) => ({ path: f.path, dev: f.dev, ino: f.ino, offset: f.acked }));
    // Files not seen again yet keep their checkpointed position.
    for (const position of this.restored.values()) positions.push(position);
    const text = JSON.stringify(positions);
    if (text === this.lastWritten) return;
    await writeCheckpointFile(this.o.checkpointFile, positions);
    this.lastWritten = text;
  }
}

/** Creates a {@link FileTailAgent}; call `start()`. */
export function createFileTailAgent(options: FileTailAgentOptions): FileTailAgent {
  return new FileTailAgent(options);
}
