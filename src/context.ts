// Everything a command needs from the outside world, passed in so tests can run commands in-process
// with captured output and a fake TTY, and the CLI can pass the real process.
import { fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from './errors.js';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface Ctx {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: Out;
  stderr: Out;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Colors only on a TTY and when NO_COLOR is unset (and --no-color not given). */
  color: boolean;
  now: () => Date;
  /** Interactive questions; only asked when stdin and stdout are TTYs. Injected by tests. */
  prompts?: Prompts;
}

export interface Prompts {
  confirm(message: string): Promise<boolean>;
  secret(message: string): Promise<string>;
  text(message: string): Promise<string>;
}

/** Real prompts on the terminal, loaded lazily so --help and non-interactive runs never pay for them. */
export const terminalPrompts: Prompts = {
  async confirm(message) {
    const { confirm } = await import('@inquirer/prompts');
    return cancellable(confirm({ message, default: false }, { output: process.stderr }));
  },
  async secret(message) {
    const { password } = await import('@inquirer/prompts');
    return cancellable(password({ message, mask: true }, { output: process.stderr }));
  },
  async text(message) {
    const { input } = await import('@inquirer/prompts');
    return cancellable(input({ message }, { output: process.stderr }));
  },
};

/** Ctrl-C at a prompt is the admin saying no (exit 2, nothing changed), not a crash to report as a bug. */
async function cancellable<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (e) {
    if ((e as Error | undefined)?.name === 'ExitPromptError') throw new UsageError('Cancelled at the prompt; nothing was changed.');
    throw e;
  }
}

export function interactive(ctx: Ctx): boolean {
  return Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY);
}

export function processCtx(opts: { color?: boolean } = {}): Ctx {
  const env = process.env;
  const stdout = fdOut(1);
  const color = opts.color !== false && Boolean(stdout.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  return {
    cwd: process.cwd(),
    env,
    stdout,
    stderr: fdOut(2),
    stdin: lazyStdin(),
    color,
    now: () => new Date(),
    prompts: terminalPrompts,
  };
}

// process.stdout/stdin are streams whose creation loads node:tty, node:net and the stream machinery: a
// measurable part of a short run (bench/). Output is small and written whole, so plain synchronous writes
// to the descriptors do (the stdio descriptors of a child are blocking); the streams are created only if
// something really reads stdin or prompts.

function fdOut(fd: number): Out {
  let closed = false;
  const write = (text: string) => {
    if (closed) return;
    const buf = Buffer.from(text);
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: try again
        if (code === 'EPIPE') { closed = true; return; } // `duo-jira … | head`: the reader left
        throw e;
      }
    }
  };
  return { write, isTTY: isTerminal(fd) };
}

function lazyStdin(): Ctx['stdin'] {
  const isTTY = isTerminal(0);
  return new Proxy({} as Ctx['stdin'], {
    get(_t, key) {
      if (key === 'isTTY') return isTTY;
      const value = Reflect.get(process.stdin, key, process.stdin) as unknown;
      return typeof value === 'function' ? value.bind(process.stdin) : value;
    },
  });
}

/** isatty without loading node:tty for the common non-terminal cases (file, pipe, /dev/null). */
function isTerminal(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    if (st.rdev === statSync('/dev/null').rdev) return false;
  } catch {
    // fall through to the real check
  }
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}
