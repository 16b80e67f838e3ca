/** A progress line on stderr, redrawn in place on a terminal and printed at most once a second otherwise. */
export function progress(): { update(text: string): void; done(text: string): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (tty) process.stderr.write(`\r\x1b[K${text}`);
      else if (now - last >= 1000) process.stderr.write(`${text}\n`);
      last = now;
    },
    done(text) {
      process.stderr.write(tty ? `\r\x1b[K${text}\n` : `${text}\n`);
    },
  };
}
