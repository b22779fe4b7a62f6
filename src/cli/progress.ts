/** A one-line progress display on a terminal; silent when stderr is a pipe. */
export function progressLine(): { update(source: string, done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(source, done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\x1b[K${source}: ${done}/${total} files`);
    },
    end() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}
