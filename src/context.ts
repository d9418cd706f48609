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
    return confirm({ message, default: false }, { output: process.stderr });
  },
  async secret(message) {
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: true }, { output: process.stderr });
  },
  async text(message) {
    const { input } = await import('@inquirer/prompts');
    return input({ message }, { output: process.stderr });
  },
};

export function interactive(ctx: Ctx): boolean {
  return Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY);
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
    prompts: terminalPrompts,
  };
}
