// Is Jira up? Jira's /status answers {"state":"…"} (7.1+). Only RUNNING means ready: HTTP 200 also comes
// with STARTING/STOPPING/FIRST_RUN, 503 with MAINTENANCE, 500 with ERROR, and a webapp that failed to
// start (e.g. a broken Duo filter) gives Tomcat's 404 page. Everything short of RUNNING means "keep waiting"
// until the deadline, because Jira passes through several of those states on a normal start.
import { quickFs } from '../fs/quick.js';
import type { Agent } from 'undici';
import { loadUndici } from '../lazy.js';

export interface StatusProbe {
  /** Jira's state (RUNNING, STARTING, …), or NO_ANSWER / HTTP_<code> when there was no JSON state. */
  state: string;
  httpStatus?: number;
  /** Human detail: the connection error, or a short body excerpt. */
  detail: string;
}

// Probing our own Tomcat over https (SSLEnabled connector) on 127.0.0.1: its certificate names the public
// host, or is self-signed, so verifying it here would only produce false "down" results.
// undici is loaded on first use: most commands never probe Jira, and it is large.
let loopbackTls: Agent | undefined;

export async function probeStatus(statusUrl: string, timeoutMs = 10_000): Promise<StatusProbe> {
  try {
    const { Agent, fetch } = await loadUndici();
    loopbackTls ??= new Agent({ connect: { rejectUnauthorized: false } });
    const res = await fetch(statusUrl, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
      headers: { accept: 'application/json' },
      ...(statusUrl.startsWith('https:') ? { dispatcher: loopbackTls } : {}),
    });
    const body = await res.text();
    return { state: stateFromBody(body) ?? `HTTP_${res.status}`, httpStatus: res.status, detail: body.slice(0, 200) };
  } catch (err) {
    return { state: 'NO_ANSWER', detail: errorText(err) };
  }
}

function stateFromBody(body: string): string | undefined {
  try {
    const state = (JSON.parse(body) as { state?: unknown } | null)?.state;
    return typeof state === 'string' && state ? state.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'no answer within the probe timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export interface WaitOptions {
  statusUrl: string;
  timeoutMs: number;
  intervalMs?: number;
  /** States that count as "up". Default RUNNING only. */
  okStates?: readonly string[];
  onTick?: (probe: StatusProbe, elapsedMs: number) => void;
  /**
   * Asked after each probe that is not up: a reason to stop waiting now (e.g. Tomcat logged that the web app
   * failed to start, which it never retries), or undefined to keep waiting.
   */
  giveUp?: (probe: StatusProbe) => Promise<string | undefined>;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface WaitResult {
  ok: boolean;
  /** Set when giveUp ended the wait before the deadline. */
  gaveUp?: string;
  /** The last probe: the RUNNING one on success, the last thing seen on timeout. */
  last: StatusProbe;
  elapsedMs: number;
  polls: number;
}

export async function waitForJira(opts: WaitOptions): Promise<WaitResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const okStates = opts.okStates ?? ['RUNNING'];
  const interval = opts.intervalMs ?? 2000;
  const started = now();
  let polls = 0;
  for (;;) {
    const remaining = opts.timeoutMs - (now() - started);
    // Never let a single slow probe overrun the caller's deadline by more than a moment.
    const last = await probeStatus(opts.statusUrl, Math.max(1000, Math.min(10_000, remaining)));
    polls++;
    const elapsedMs = now() - started;
    opts.onTick?.(last, elapsedMs);
    if (okStates.includes(last.state)) return { ok: true, last, elapsedMs, polls };
    const reason = await opts.giveUp?.(last);
    if (reason !== undefined) return { ok: false, gaveUp: reason, last, elapsedMs, polls };
    if (elapsedMs + interval > opts.timeoutMs) return { ok: false, last, elapsedMs, polls };
    await sleep(interval);
  }
}

/** Human wording of a probe, for progress lines and errors. */
export function describeProbe(p: StatusProbe): string {
  if (p.state === 'NO_ANSWER') return `no answer (${p.detail})`;
  if (p.state.startsWith('HTTP_')) return `HTTP ${p.httpStatus ?? p.state.slice(5)} without a Jira status (web app not started?)`;
  return p.httpStatus !== undefined && p.httpStatus !== 200 ? `${p.state} (HTTP ${p.httpStatus})` : p.state;
}

const TAIL_BYTES = 256 * 1024;

/**
 * Last `lines` lines of a log file, optionally only what was written after byte `fromOffset` (so a restart's
 * diagnosis is not fooled by errors from an earlier start); [] when it does not exist or cannot be read.
 * Reads only the end of the file.
 */
export async function tailLog(path: string, lines: number, fromOffset = 0): Promise<string[]> {
  try {
    const size = (await quickFs.stat(path)).size;
    const from = fromOffset > size ? 0 : fromOffset; // the log was rotated or truncated meanwhile
    const len = Math.min(size - from, TAIL_BYTES);
    const buf = await quickFs.readRange(path, size - len, len);
    const all = buf.toString('utf8').split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    // The first line of a partial read is probably cut; drop it unless we started at a line boundary.
    if (size - len > from) all.shift();
    return all.slice(-lines);
  } catch {
    return [];
  }
}

/** Current size of a file (0 when absent): the offset to pass to tailLog later. */
export async function logOffset(path: string): Promise<number> {
  return (await quickFs.stat(path).catch(() => undefined))?.size ?? 0;
}

export interface Diagnosis {
  /** True when the log blames the Duo filter. */
  duoRelated: boolean;
  /** True when Tomcat could not start (init/load) the duoauth filter: then `duo-jira disable` is not enough. */
  duoFilterFailed: boolean;
  /** The log lines worth showing, in order, without stack-frame noise. */
  lines: string[];
  advice: string[];
}

/** What Tomcat logs when a web app's filters or listeners failed to start: it does not try again. */
export const CONTEXT_FAILED = /One or more [Ff]ilters failed to start|One or more [Ll]isteners failed to start|Context \[[^\]]*\] startup failed due to previous errors/;

const DUO_LINE = /duoauth|DuoAuthFilter|com\.duosecurity|ClassNotFoundException|NoClassDefFoundError/i;
const STARTUP_FAILURE = /Exception starting filter|One or more Filters failed to start|Context \[[^\]]*\] startup failed|SEVERE/;

export function diagnose(logTail: readonly string[] | string): Diagnosis {
  const lines = typeof logTail === 'string' ? logTail.split(/\r?\n/) : [...logTail];
  const duo = lines.filter((l) => DUO_LINE.test(l) && !/^\s+at /.test(l));
  const other = lines.filter((l) => !DUO_LINE.test(l) && STARTUP_FAILURE.test(l));
  const picked = lines.filter((l) => duo.includes(l) || other.includes(l)).map((l) => l.trim());
  const duoRelated = duo.length > 0;
  const duoFilterFailed = lines.some((l) => /Exception starting filter \[duoauth\]|(ClassNotFoundException|NoClassDefFoundError)\b.*com[./]duosecurity/.test(l));
  const advice = duoFilterFailed
    ? [
        'Jira\'s log shows that Tomcat could not start the duoauth filter (its keys were refused or a class is missing), which stops the whole web app from starting.',
        // Tomcat initialises every <filter> declared in web.xml, mapped or not, so commenting out the mapping does not help.
        'Tomcat starts every filter declared in web.xml, also one whose mapping `duo-jira disable` commented out, so disable is not enough here. The way back in: `duo-jira rollback --restart` (undo the last change) or `duo-jira uninstall --restart`; then fix the keys or jars and install again.',
      ]
    : duoRelated
      ? [
          'Jira\'s log points at the Duo filter (duoauth / DuoAuthFilter / com.duosecurity).',
          'If it keeps you out: `duo-jira disable --restart` switches Duo off (mapping commented out, keys kept); `duo-jira rollback --restart` undoes the last change.',
        ]
      : picked.length > 0
      ? ['Jira\'s log shows startup errors (above); they do not mention the Duo filter.']
      : ['Nothing conclusive in catalina.out; also check $JIRA_HOME/log/atlassian-jira.log.'];
  return { duoRelated, duoFilterFailed, lines: dedupe(picked).slice(-20), advice };
}

function dedupe(lines: string[]): string[] {
  return lines.filter((l, i) => lines.indexOf(l) === i);
}
