/**
 * Progress lines for the stack's slow steps: `✓ compiling contracts (6.1 s)`. On a terminal the
 * step's line shows a running clock until it finishes; elsewhere (CI, tests, pipes) it prints
 * one line when the step starts and one when it ends.
 */

export interface Reporter {
  /** Runs `fn` as a named step and reports how long it took; a failed step is marked ✗. */
  step<T>(label: string, fn: () => Promise<T>): Promise<T>;
  /** A finished fact, e.g. `✓ contracts up to date`. */
  done(line: string): void;
  info(line: string): void;
  warn(line: string): void;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function consoleReporter(
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Reporter {
  const tty = out.isTTY === true && process.env.CI === undefined;
  /** The step whose clock is on the current terminal line, if any. */
  let active: { label: string; elapsed: () => string } | undefined;
  const redraw = () => {
    if (active) out.write(`\r\x1b[K  ${active.label}… ${active.elapsed()}`);
  };
  /** A whole line, written above a running step's clock on a terminal. */
  const line = (stream: NodeJS.WriteStream, text: string) => {
    if (tty && active) out.write("\r\x1b[K");
    stream.write(`${text}\n`);
    if (tty) redraw();
  };
  return {
    async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
      const started = performance.now();
      const elapsed = () => seconds(performance.now() - started);
      const outer = active;
      let timer: NodeJS.Timeout | undefined;
      if (tty) {
        if (outer) out.write("\r\x1b[K");
        active = { label, elapsed };
        redraw();
        timer = setInterval(redraw, 200);
        timer.unref();
      } else {
        out.write(`  ${label}…\n`);
      }
      const end = (mark: string) => {
        if (timer) clearInterval(timer);
        active = outer;
        out.write(`${tty ? "\r\x1b[K" : ""}${mark} ${label} (${elapsed()})\n`);
        if (tty) redraw();
      };
      try {
        const result = await fn();
        end("✓");
        return result;
      } catch (error) {
        end("✗");
        throw error;
      }
    },
    done: (text) => line(out, `✓ ${text}`),
    info: (text) => line(out, text),
    warn: (text) => line(err, `! ${text}`),
  };
}

/** Says nothing; for callers (tests, the demo) that drive the stack functions themselves. */
export const silentReporter: Reporter = {
  step: (_label, fn) => fn(),
  done: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
