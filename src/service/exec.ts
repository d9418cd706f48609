// Running service commands (start/stop scripts, systemctl, init.d). Always an argv array through execa,
// never a shell string. Output goes to a temp *file*, not a pipe: start scripts leave a daemon (Tomcat)
// behind, and a daemon that inherited our pipe would keep it open and make us wait for it forever.
import { closeSync, openSync } from 'node:fs';
import { quickFs } from '../fs/quick.js';

const { mkdtemp, readFile, rm } = quickFs;
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  argv: readonly string[];
  /** undefined when killed by a signal or it could not be spawned. */
  exitCode: number | undefined;
  timedOut: boolean;
  /** Combined stdout+stderr, last few KB. */
  output: string;
  durationMs: number;
  /** Set when the program could not be run at all (ENOENT, EACCES). */
  spawnError?: string;
}

export interface RunOptions {
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

const KEEP_OUTPUT = 4000;

export async function runCommand(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) throw new TypeError('runCommand: empty argv');
  const dir = await mkdtemp(join(tmpdir(), 'duo-jira-cmd-'));
  const logFile = join(dir, 'output.log');
  const fd = openSync(logFile, 'a');
  const started = Date.now();
  try {
    const { execa } = await import('execa');
    const r = await execa(file, args, {
      stdin: 'ignore',
      // execa's types only list fds 1-9 here, but a plain integer is handed to child_process.spawn as-is.
      stdout: fd as 3,
      stderr: fd as 3,
      timeout: opts.timeoutMs,
      forceKillAfterDelay: 5000,
      reject: false,
      env: opts.env ?? serviceEnv(),
      extendEnv: false,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    closeSync(fd);
    const output = (await readFile(logFile, 'utf8')).slice(-KEEP_OUTPUT);
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !r.signal ? r.shortMessage : undefined;
    return {
      argv,
      exitCode: r.exitCode,
      timedOut: Boolean(r.timedOut),
      output,
      durationMs: Date.now() - started,
      ...(spawnError ? { spawnError } : {}),
    };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed above
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Our environment minus DUO_SKEY: these commands start Jira, whose JVM would otherwise keep the secret key
 * (given to duo-jira as DUO_SKEY) in its environment for as long as it runs, and pass it to every process it starts.
 */
function serviceEnv(): Record<string, string | undefined> {
  const { DUO_SKEY: _skey, ...env } = process.env;
  return env;
}

/** "systemctl stop jira" style rendering for messages; quotes only what needs it. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
