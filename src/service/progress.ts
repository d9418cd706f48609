// Progress output for long waits (stop/start/poll). On a TTY: one spinner line rewritten in place. Elsewhere
// (CI logs, pipes): no control characters, and a transient status is printed only when it changes, so a
// five-minute wait does not produce 150 identical lines.
import type { Out } from '../context.js';

export interface Progress {
  /** A permanent line. */
  line(text: string): void;
  /** A transient status; `key` decides what counts as a change when not on a TTY (default: the text). */
  status(text: string, key?: string): void;
  /** Stop the spinner and clear its line. Safe to call twice. */
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createProgress(out: Out, opts: { enabled: boolean }): Progress {
  if (!opts.enabled) return { line: () => {}, status: () => {}, done: () => {} };
  return out.isTTY ? ttyProgress(out) : plainProgress(out);
}

function plainProgress(out: Out): Progress {
  let lastKey: string | undefined;
  return {
    line: (text) => {
      lastKey = undefined;
      out.write(`${text}\n`);
    },
    status: (text, key = text) => {
      if (key === lastKey) return;
      lastKey = key;
      out.write(`  ${text}\n`);
    },
    done: () => {},
  };
}

function ttyProgress(out: Out): Progress {
  let text: string | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => out.write('\r\x1b[2K');
  const draw = () => {
    if (text === undefined) return;
    clear();
    out.write(`${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  return {
    // A permanent line ends the current status: it reports how that step ended.
    line: (t) => {
      if (text !== undefined) clear();
      text = undefined;
      out.write(`${t}\n`);
    },
    status: (t) => {
      text = t;
      if (!timer) {
        timer = setInterval(draw, 100);
        timer.unref(); // a forgotten spinner must never keep the process alive
      }
      draw();
    },
    done: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (text !== undefined) clear();
      text = undefined;
    },
  };
}
