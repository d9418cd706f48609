// duo-jira restart: stop and start Jira the way this install is run (systemd, init.d or its own scripts),
// then wait until /status says RUNNING. Also the restart step behind install/uninstall --restart.
import { quickFs } from '../fs/quick.js';
import { relative, resolve } from 'node:path';
import { loadPaint, paint, type Paint } from '../paint.js';
import type { Ctx } from '../context.js';
import { EXIT, EnvironmentError, UsageError } from '../errors.js';
import { jiraPaths, type JiraPaths } from '../jira/layout.js';
import type { DetectProbes, RestartMethod } from '../service/detect.js';
import { formatArgv } from '../service/exec.js';
import { describeProbe } from '../service/health.js';
import { createProgress, type Progress } from '../service/progress.js';
import { restartJira as restartService, type ProgressEvent, type RestartResult } from '../service/restart.js';

export interface RestartOptions {
  jiraDir: string;
  /** Seconds to wait for Jira to stop and, separately, to reach RUNNING. Default 300. */
  timeout?: number;
  /** --no-wait → false: return once the start command has returned. */
  wait?: boolean;
  json?: boolean;
  /** systemd | initd | scripts; detected when absent. */
  method?: string;
}

/** What install/uninstall --restart pass: the restart flags, plus test hooks. */
export interface RestartJiraOptions extends Omit<RestartOptions, 'jiraDir'> {
  probes?: Partial<DetectProbes>;
  /** /status poll interval in ms (tests). */
  intervalMs?: number;
  stopTimeoutMs?: number;
}

export const DEFAULT_RESTART_TIMEOUT_S = 300;

export async function run(opts: RestartOptions, ctx: Ctx): Promise<number> {
  const paths = jiraPaths(resolve(ctx.cwd, opts.jiraDir));
  await assertInstallDir(paths);
  const result = await restartJira(paths, opts, ctx);
  if (opts.json) ctx.stdout.write(`${JSON.stringify(toJson(paths, result), null, 2)}\n`);
  else ctx.stdout.write(`${summary(result)}\n`);
  return EXIT.ok;
}

/**
 * Restart Jira and (unless wait === false) wait for RUNNING, reporting progress on ctx.stdout unless json.
 * Throws UsageError for bad flags, EnvironmentError when no restart method is found, and
 * RestartFailedError (an EnvironmentError with `details`) when Jira does not stop, start or come up.
 */
export async function restartJira(paths: JiraPaths, opts: RestartJiraOptions, ctx: Ctx): Promise<RestartResult> {
  const timeoutS = checkTimeout(opts.timeout);
  const progress = createProgress(ctx.stdout, { enabled: !opts.json });
  await loadPaint(ctx.color);
  const c = paint(ctx.color);
  try {
    return await restartService(paths, {
      timeoutMs: timeoutS * 1000,
      wait: opts.wait !== false,
      ...(opts.method !== undefined ? { method: opts.method } : {}),
      ...(opts.probes ? { probes: opts.probes } : {}),
      ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
      ...(opts.stopTimeoutMs !== undefined ? { stopTimeoutMs: opts.stopTimeoutMs } : {}),
      onProgress: (e) => render(e, progress, paths, c),
    });
  } finally {
    progress.done();
  }
}

export function checkTimeout(timeout: number | undefined): number {
  if (timeout === undefined) return DEFAULT_RESTART_TIMEOUT_S;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds (got ${String(timeout)}).`, `The default is ${DEFAULT_RESTART_TIMEOUT_S}.`);
  }
  return timeout;
}

async function assertInstallDir(paths: JiraPaths): Promise<void> {
  const st = await quickFs.stat(paths.root).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new EnvironmentError(`${paths.root} is not a directory.`, 'Pass --jira-dir with the Jira installation directory (e.g. /opt/atlassian/jira).');
  }
}

export function describeMethod(m: RestartMethod, root: string): string {
  if (m.kind === 'systemd') return `systemd (systemctl stop/start ${m.unit})`;
  if (m.kind === 'initd') return `init script (${m.initScript} stop/start)`;
  const rel = (p: string) => relative(root, p) || p;
  const script = (argv: string[]) => rel(argv[argv.length - 1] ?? '');
  return `Jira's scripts (${script(m.stop)}, ${script(m.start)}${m.runAs ? ` as ${m.runAs} via runuser` : ''})`;
}

function render(e: ProgressEvent, p: Progress, paths: JiraPaths, c: Paint): void {
  const ok = c.green('✓');
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  switch (e.phase) {
    case 'method':
      p.line(`Restarting Jira in ${paths.root} using ${describeMethod(e.method, paths.root)}`);
      p.line(c.dim(`  why: ${e.method.why}`));
      for (const n of e.method.notes) p.line(c.dim(`  note: ${n}`));
      return;
    case 'stopping':
      p.status(`Stopping Jira${e.wasRunning ? '' : ' (it does not seem to be running)'}: ${formatArgv(e.argv)}`);
      return;
    case 'stopped':
      p.line(`${ok} Stopped (${secs(e.ms)})`);
      return;
    case 'starting':
      p.status(`Starting Jira: ${formatArgv(e.argv)}`);
      return;
    case 'started':
      p.line(`${ok} Start command returned (${secs(e.ms)})`);
      return;
    case 'waiting':
      p.status(`Waiting for ${e.statusUrl}: ${describeProbe(e.probe)} (${Math.round(e.elapsedMs / 1000)}s)`, e.probe.state);
      return;
    case 'running':
      p.line(`${ok} Jira is ${e.probe.state} at ${e.statusUrl} (${secs(e.elapsedMs)})`);
      return;
  }
}

function summary(r: RestartResult): string {
  const total = `${Math.round(r.durationMs / 1000)}s`;
  if (!r.health) return `Jira was restarted with ${r.method.kind} in ${total}; not waiting for it to come up (check ${r.statusUrl}).`;
  return `Jira restarted with ${r.method.kind} in ${total} and is ${r.health.last.state}.`;
}

function toJson(paths: JiraPaths, r: RestartResult): Record<string, unknown> {
  const { kind, why, stop, start, unit, initScript, runAs, notes } = r.method;
  return {
    ok: true,
    command: 'restart',
    jiraDir: paths.root,
    method: { kind, why, stop, start, unit, initScript, runAs, notes },
    wasRunning: r.wasRunning,
    stop: { argv: r.stop.argv, exitCode: r.stop.exitCode, ms: r.stop.ms },
    start: { argv: r.start.argv, exitCode: r.start.exitCode, ms: r.start.ms },
    statusUrl: r.statusUrl,
    state: r.health?.last.state ?? null,
    waitedMs: r.health?.elapsedMs ?? null,
    durationMs: r.durationMs,
  };
}
