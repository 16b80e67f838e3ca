import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** One complete line and the offset just after its newline. @internal */
export interface Line {
  text: string;
  end: number;
}

/**
 * A file being followed, by identity: it keeps its descriptor open, so a rotated (renamed)
 * file is read to its end, and it knows where it was truncated. Positions are bytes.
 * @internal
 */
export class TrackedFile {
  /** Where reading continues. */
  offset: number;
  /** Just after the last line whose put was acknowledged, all lines before it too. */
  acked: number;
  /** Lines put and not yet settled, in file order: the acknowledged offset moves over settled ones. */
  private readonly pending: { end: number; settled: boolean }[] = [];
  private partial = Buffer.alloc(0);
  constructor(
    public path: string,
    readonly dev: number,
    readonly ino: number,
    private readonly handle: FileHandle,
    offset: number,
  ) {
    this.offset = offset;
    this.acked = offset;
  }

  get key(): string {
    return `${this.dev}:${this.ino}`;
  }

  get pendingLines(): number {
    return this.pending.length;
  }

  /**
   * The complete lines written since the last read; a trailing line without its newline waits.
   * A file shorter than the position was truncated: reading starts over at 0. Lines longer
   * than `maxLineBytes` come back with `tooLong` set instead of their text.
   */
  async readLines(maxLineBytes: number): Promise<{ lines: (Line & { tooLong?: boolean })[]; truncated: boolean }> {
    const { size } = await this.handle.stat();
    let truncated = false;
    if (size < this.offset) {
      truncated = true;
      this.offset = 0;
      this.acked = 0;
      this.pending.length = 0;
      this.partial = Buffer.alloc(0);
    }
    const lines: (Line & { tooLong?: boolean })[] = [];
    while (this.offset < size) {
      const length = Math.min(CHUNK, size - this.offset);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.offset);
      if (bytesRead === 0) break;
      const start = this.offset - this.partial.length;
      const data = this.partial.length > 0 ? Buffer.concat([this.partial, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      this.offset += bytesRead;
      let from = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, from)) {
        const tooLong = nl - from > maxLineBytes;
        const text = tooLong ? '' : data.subarray(from, nl).toString('utf8').replace(/\r$/, '');
        lines.push({ text, end: start + nl + 1, ...(tooLong ? { tooLong } : {}) });
        from = nl + 1;
      }
      this.partial = Buffer.from(data.subarray(from));
    }
    return { lines, truncated };
  }

  /** Registers a line as put; call the returned function once its put settled (or was given up). */
  track(end: number): () => void {
    const entry = { end, settled: false };
    this.pending.push(entry);
    return () => {
      entry.settled = true;
      while (this.pending.length > 0 && this.pending[0].settled) this.acked = this.pending.shift()!.end;
    };
  }

  /** Deleted (no name left); a renamed file keeps a link and is still followed. */
  async deleted(): Promise<boolean> {
    return (await this.handle.stat()).nlink === 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
