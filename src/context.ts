// Everything a command needs from the outside world, passed in so tests can run commands in-process
// with captured output and a fake TTY, and the CLI can pass the real process.

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
}

export function processCtx(opts: { color?: boolean } = {}): Ctx {
  const env = process.env;
  const tty = Boolean(process.stdout.isTTY);
  const color = opts.color !== false && tty && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  return {
    cwd: process.cwd(),
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    color,
    now: () => new Date(),
  };
}
