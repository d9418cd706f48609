// Stop Jira, wait until it is really gone, start it, wait for /status RUNNING. Each wait is bounded, and
// every failure says what was seen (command output, last /status state, the catalina.out lines that matter).
import { readFileSync } from 'node:fs';
import { quickFs } from '../fs/quick.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { JiraPaths } from '../jira/layout.js';
import { parseServerXml } from '../jira/server-xml.js';
import { detectRestartMethod, type DetectProbes, type RestartMethod } from './detect.js';
import { formatArgv, runCommand, type CommandResult } from './exec.js';
import { CONTEXT_FAILED, describeProbe, diagnose, logOffset, tailLog, waitForJira, type Diagnosis, type StatusProbe, type WaitResult } from './health.js';

export interface RestartJiraSettings {
  /** Bound for waiting until Jira is RUNNING again. */
  timeoutMs: number;
  /** Bound for waiting until the old Jira is gone. Default: min(timeoutMs, 180 s) — Tomcat can take 30–120 s. */
  stopTimeoutMs?: number;
  /** false = return once the start command has returned (--no-wait). */
  wait: boolean;
  method?: string;
  probes?: Partial<DetectProbes>;
  /** /status poll interval. */
  intervalMs?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export type ProgressEvent =
  | { phase: 'method'; method: RestartMethod }
  | { phase: 'stopping'; argv: string[]; wasRunning: boolean }
  | { phase: 'stopped'; ms: number }
  | { phase: 'starting'; argv: string[] }
  | { phase: 'started'; ms: number }
  | { phase: 'waiting'; probe: StatusProbe; elapsedMs: number; statusUrl: string }
  | { phase: 'running'; probe: StatusProbe; elapsedMs: number; statusUrl: string };

export interface StepReport {
  argv: string[];
  exitCode: number | undefined;
  ms: number;
  output: string;
}

export interface RestartResult {
  method: RestartMethod;
  statusUrl: string;
  wasRunning: boolean;
  stop: StepReport;
  start: StepReport;
  /** Absent with wait=false. */
  health?: WaitResult;
  durationMs: number;
}

export interface RestartFailure {
  phase: 'stop' | 'start' | 'wait';
  method: RestartMethod;
  statusUrl: string;
  lastState?: string;
  command?: StepReport;
  diagnosis?: Diagnosis;
}

/** Jira did not stop, did not start, or did not reach RUNNING. An EnvironmentError (exit 3) carrying the details for --json. */
export class RestartFailedError extends EnvironmentError {
  constructor(message: string, hint: string, readonly details: RestartFailure) {
    super(message, hint);
  }
}

// Setup-wizard installs never turn RUNNING by themselves, and FIRST_RUN already proves the web app — and
// therefore every filter in web.xml — started.
const UP_STATES = ['RUNNING', 'FIRST_RUN'];

interface Target {
  statusUrl: string;
  host: string;
  port: number;
  pidFile: string;
}

export async function restartJira(paths: JiraPaths, s: RestartJiraSettings): Promise<RestartResult> {
  const started = Date.now();
  const target = await readTarget(paths);
  const method = await detectRestartMethod(paths, { ...(s.method ? { method: s.method } : {}), ...(s.probes ? { probes: s.probes } : {}) });
  s.onProgress?.({ phase: 'method', method });

  const { stop, wasRunning } = await stopPhase(method, target, s);
  const logStart = await logOffset(paths.catalinaOut);
  const start = await startPhase(method, target, paths, s, logStart);
  const result: RestartResult = { method, statusUrl: target.statusUrl, wasRunning, stop, start, durationMs: 0 };
  if (s.wait) result.health = await waitPhase(method, target, paths, s, logStart);
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * What a restart would use, found without running anything: the method (detected or --method) and the
 * /status URL. Throws exactly what restartJira would throw first, so a caller can check before changing files.
 */
export async function planRestart(paths: JiraPaths, s: Pick<RestartJiraSettings, 'method' | 'probes'> = {}): Promise<{ method: RestartMethod; statusUrl: string }> {
  const target = await readTarget(paths);
  const method = await detectRestartMethod(paths, { ...(s.method ? { method: s.method } : {}), ...(s.probes ? { probes: s.probes } : {}) });
  return { method, statusUrl: target.statusUrl };
}

async function readTarget(paths: JiraPaths): Promise<Target> {
  let text: string;
  try {
    text = await quickFs.readFile(paths.serverXml, 'utf8');
  } catch (err) {
    throw new EnvironmentError(
      `Cannot read ${paths.serverXml} (${(err as NodeJS.ErrnoException).code ?? String(err)}), so duo-jira cannot tell which port Jira answers on.`,
      'Check --jira-dir: it must be the Jira installation directory (the one holding conf/ and atlassian-jira/).',
    );
  }
  let info;
  try {
    info = parseServerXml(text, paths.serverXml);
  } catch (err) {
    throw new EnvironmentError((err as Error).message, 'Fix conf/server.xml before restarting; Tomcat would not start with it either.');
  }
  const url = new URL(info.statusUrl);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return { statusUrl: info.statusUrl, host: url.hostname.replace(/^\[|\]$/g, ''), port, pidFile: join(paths.root, 'work', 'catalina.pid') };
}

async function stopPhase(method: RestartMethod, t: Target, s: RestartJiraSettings): Promise<{ stop: StepReport; wasRunning: boolean }> {
  const bound = s.stopTimeoutMs ?? Math.min(s.timeoutMs, 180_000);
  // Read the pid before stopping: the stop script deletes the pid file long before the JVM has exited.
  const pid = readPid(t.pidFile);
  const wasRunning = (pid !== undefined && pidAlive(pid)) || (await portAnswers(t));
  s.onProgress?.({ phase: 'stopping', argv: method.stop, wasRunning });
  const t0 = Date.now();
  const r = await runCommand(method.stop, { timeoutMs: bound });
  const stop = step(r);
  const gone = await waitUntil(async () => !(pid !== undefined && pidAlive(pid)) && !(await portAnswers(t)), Math.max(1000, bound - r.durationMs));
  if (!gone) {
    const still = pid !== undefined && pidAlive(pid) ? `process ${pid} from ${t.pidFile} is still alive` : `port ${t.port} still answers`;
    const failed = r.exitCode !== 0 ? ` (\`${formatArgv(method.stop)}\` ${exitText(r)})` : '';
    throw new RestartFailedError(
      `Jira did not stop within ${Math.round(bound / 1000)}s: ${still}${failed}.${outputText(r)}`,
      'Nothing was started. Stop Jira yourself (or wait for it), then run the command again; --timeout raises the bound.',
      { phase: 'stop', method, statusUrl: t.statusUrl, command: stop },
    );
  }
  // A failing stop command on a Jira that is down anyway is fine: stop-jira.sh exits 1 when there is nothing to stop.
  stop.ms = Date.now() - t0; // includes waiting for the JVM to exit
  s.onProgress?.({ phase: 'stopped', ms: stop.ms });
  return { stop, wasRunning };
}

async function startPhase(method: RestartMethod, t: Target, paths: JiraPaths, s: RestartJiraSettings, logStart: number): Promise<StepReport> {
  s.onProgress?.({ phase: 'starting', argv: method.start });
  const r = await runCommand(method.start, { timeoutMs: Math.min(s.timeoutMs, 300_000) });
  if (r.exitCode !== 0) {
    const diagnosis = diagnose(await tailLog(paths.catalinaOut, 200, logStart));
    throw new RestartFailedError(
      `\`${formatArgv(method.start)}\` ${exitText(r)}; Jira is stopped.${outputText(r)}${diagnosisText(diagnosis)}`,
      `Start Jira by hand once the problem is fixed (${formatArgv(method.start)}). ${diagnosis.advice.join(' ')}`,
      { phase: 'start', method, statusUrl: t.statusUrl, command: step(r), diagnosis },
    );
  }
  s.onProgress?.({ phase: 'started', ms: r.durationMs });
  return step(r);
}

async function waitPhase(method: RestartMethod, t: Target, paths: JiraPaths, s: RestartJiraSettings, logStart: number): Promise<WaitResult> {
  const health = await waitForJira({
    statusUrl: t.statusUrl,
    timeoutMs: s.timeoutMs,
    okStates: UP_STATES,
    ...(s.intervalMs !== undefined ? { intervalMs: s.intervalMs } : {}),
    onTick: (probe, elapsedMs) => {
      if (!UP_STATES.includes(probe.state)) s.onProgress?.({ phase: 'waiting', probe, elapsedMs, statusUrl: t.statusUrl });
    },
    // Tomcat answers but without Jira's JSON (its 404 page): if it logged that the web app failed to start,
    // it will stay that way, so say so now instead of after the whole --timeout.
    giveUp: async (probe) => {
      if (!probe.state.startsWith('HTTP_')) return undefined;
      for (const line of await tailLog(paths.catalinaOut, 400, logStart)) {
        const m = CONTEXT_FAILED.exec(line);
        if (m) return m[0];
      }
      return undefined;
    },
  });
  if (health.ok) {
    s.onProgress?.({ phase: 'running', probe: health.last, elapsedMs: health.elapsedMs, statusUrl: t.statusUrl });
    return health;
  }
  const diagnosis = diagnose(await tailLog(paths.catalinaOut, 400, logStart));
  const why = health.gaveUp
    ? `did not reach RUNNING: its web app failed to start (Tomcat logged "${health.gaveUp}"), so waiting longer would not help`
    : `did not reach RUNNING within ${Math.round(s.timeoutMs / 1000)}s`;
  throw new RestartFailedError(
    `Jira was started but ${why}; last seen at ${t.statusUrl}: ${describeProbe(health.last)}.${diagnosisText(diagnosis)}`,
    diagnosis.duoRelated
      ? diagnosis.advice.join(' ')
      : `${diagnosis.advice.join(' ')} If Jira is just slow to start, wait and check ${t.statusUrl}, or re-run with a larger --timeout.`,
    { phase: 'wait', method, statusUrl: t.statusUrl, lastState: health.last.state, diagnosis },
  );
}

function step(r: CommandResult): StepReport {
  return { argv: [...r.argv], exitCode: r.exitCode, ms: r.durationMs, output: r.output };
}

function exitText(r: CommandResult): string {
  if (r.spawnError) return `could not be run (${r.spawnError})`;
  if (r.timedOut) return `did not return within ${Math.round(r.durationMs / 1000)}s and was killed`;
  return r.exitCode === undefined ? 'was killed by a signal' : `exited with ${r.exitCode}`;
}

function outputText(r: CommandResult): string {
  const out = r.output.trim().split('\n').slice(-10).join('\n  ');
  return out ? `\nIts output:\n  ${out}` : '';
}

function diagnosisText(d: Diagnosis): string {
  return d.lines.length > 0 ? `\nFrom logs/catalina.out:\n  ${d.lines.join('\n  ')}` : '';
}

function readPid(pidFile: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (the Jira user) — still alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A zombie answers kill(0) but has exited.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function portAnswers(t: Pick<Target, 'host' | 'port'>, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    // node:net only when a port is actually probed (restart), not on every command's start.
    const { connect } = createRequire(import.meta.url)('node:net') as typeof import('node:net');
    const sock = connect({ host: t.host, port: t.port });
    const done = (up: boolean) => {
      sock.destroy();
      resolve(up);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
