// Duo Auth API v2 client for the credential pre-flight and `duo-jira doctor`: ping, check, preflight.
//
// - HTTPS only; certificate verification is always on (a custom CA can be *added*, never bypassed).
// - Signs like the legacy Jira filter (sig v2 + HMAC-SHA1), so "ok" means the filter's keys work.
// - Proxy: HTTPS_PROXY / https_proxy and NO_PROXY / no_proxy, read from opts.env (default process.env).
// - The secret key never appears in a message, error or result; nor does the Authorization header.
// - undici is loaded lazily: this module is only imported by doctor/install, and startup time matters.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { EnvironmentError, UsageError } from '../errors.js';
import { canonParams, rfc2822Date, signV2 } from './sign.js';
import { loadUndici } from '../lazy.js';

/**
 * Largest clock difference to Duo we accept, in seconds. Duo's real limit is UNVERIFIED: no Duo
 * source we read states it; a third-party page says "about ±5 minutes", hence 300 s.
 */
export const ALLOWED_SKEW_SECONDS = 300;
export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 256 * 1024;

export interface DuoCredentials {
  ikey: string;
  skey: string;
  /** API hostname, e.g. api-XXXXXXXX.duosecurity.com (no scheme, path or port). */
  host: string;
}

export interface DuoRequestOptions {
  /** Extra CA certificate(s), PEM, trusted in addition to the system roots (e.g. a TLS-inspecting proxy). */
  ca?: string | Buffer;
  /** Whole-request timeout (connect + TLS + response), default 10 000 ms. */
  timeoutMs?: number;
  /** Local clock (signing date and skew measurement). */
  now?: () => Date;
  /** Test-only: connect here (e.g. https://127.0.0.1:PORT) instead of https://<host>; the signature, Host header and TLS name still use `host`. */
  origin?: string;
  /** Where HTTPS_PROXY / NO_PROXY are read from; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface PingResult {
  /** Duo's clock, unix seconds. */
  serverTime: number;
  /** Local clock minus Duo's clock, seconds (positive: this machine is ahead). */
  skewSeconds: number;
}

export interface CheckResult {
  serverTime: number;
}

interface Common {
  host: string;
  /** One line, in Duo's own words where Duo gave any. */
  message: string;
  /** What to do about it. */
  fix: string;
}

export type PreflightResult =
  | (Common & { kind: 'ok'; serverTime: number; skewSeconds: number })
  | (Common & { kind: 'bad-ikey'; status: number; code: number; duoMessage: string })
  | (Common & { kind: 'bad-skey'; status: number; code: number; duoMessage: string })
  | (Common & {
      kind: 'clock-skew';
      /** Measured from ping, when ping answered. */
      skewSeconds?: number;
      allowedSkewSeconds: number;
      /** Duo's rejection of the signed request, if it rejected it. */
      status?: number;
      code?: number;
      duoMessage?: string;
    })
  | (Common & { kind: 'unreachable'; cause: string; proxy?: string })
  | (Common & { kind: 'tls'; cause: string; proxy?: string })
  | (Common & { kind: 'http-error'; status: number; code?: number; duoMessage?: string });

export type PreflightKind = PreflightResult['kind'];
export type PreflightFailure = Exclude<PreflightResult, { kind: 'ok' }>;

/** Thrown by ping()/check() (preflight() returns these as values instead). */
export class DuoApiError extends EnvironmentError {
  constructor(readonly result: PreflightFailure) {
    super(result.message, result.fix);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Unsigned GET /auth/v2/ping: proves DNS/TLS/firewall/proxy reach Duo, and measures clock skew. */
export async function ping(host: string, opts: DuoRequestOptions = {}): Promise<PingResult> {
  const ctx = makeContext({ host, ikey: '', skey: '' }, opts);
  return withDispatcher(ctx, async (d) => {
    const r = await doPing(ctx, d);
    if ('failure' in r) throw new DuoApiError(r.failure);
    return r.ok;
  });
}

/**
 * Signed GET /auth/v2/check: proves the integration key, secret key and signing are accepted.
 * Without a ping it cannot tell a skewed clock from a wrong secret key unless Duo says so; use
 * preflight() for a diagnosis.
 */
export async function check(creds: DuoCredentials, opts: DuoRequestOptions = {}): Promise<CheckResult> {
  const ctx = makeContext(creds, opts);
  return withDispatcher(ctx, async (d) => {
    const r = await doCheck(ctx, d, undefined);
    if ('failure' in r) throw new DuoApiError(r.failure);
    return r.ok;
  });
}

/** ping, then check; every outcome (including network failures) is returned, never thrown. */
export async function preflight(creds: DuoCredentials, opts: DuoRequestOptions = {}): Promise<PreflightResult> {
  const ctx = makeContext(creds, opts);
  return withDispatcher(ctx, async (d): Promise<PreflightResult> => {
    const p = await doPing(ctx, d);
    if ('failure' in p) return p.failure;
    const { skewSeconds, serverTime } = p.ok;
    const c = await doCheck(ctx, d, skewSeconds);
    if ('failure' in c) return c.failure;
    if (Math.abs(skewSeconds) > ALLOWED_SKEW_SECONDS) {
      return ctx.scrub({
        kind: 'clock-skew',
        host: ctx.host,
        skewSeconds,
        allowedSkewSeconds: ALLOWED_SKEW_SECONDS,
        message: `Duo accepted the keys, but this machine's clock is ${describeSkew(skewSeconds)} (allowed ±${ALLOWED_SKEW_SECONDS} s); Duo may reject Jira's signed requests.`,
        fix: CLOCK_FIX,
      });
    }
    return ctx.scrub({
      kind: 'ok',
      host: ctx.host,
      serverTime: c.ok.serverTime || serverTime,
      skewSeconds,
      message: `Duo accepted integration key ${creds.ikey} and its secret key for ${ctx.host} (clock ${describeSkew(skewSeconds)}).`,
      fix: 'Nothing to do.',
    });
  }).catch((err: unknown) => {
    if (err instanceof DuoApiError) return err.result; // e.g. an unusable HTTPS_PROXY value
    throw err;
  });
}

/** Turn a preflight outcome into the typed error install/doctor throw (null when ok). */
export function preflightError(result: PreflightResult): DuoApiError | null {
  return result.kind === 'ok' ? null : new DuoApiError(result);
}

// ---------------------------------------------------------------------------------------------
// Internals

interface Ctx {
  host: string;
  creds: DuoCredentials;
  url: URL;
  timeoutMs: number;
  now: () => Date;
  ca?: string[];
  proxy?: { uri: string; display: string };
  scrub<T extends PreflightResult>(r: T): T;
}

const HOST_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function makeContext(creds: DuoCredentials, opts: DuoRequestOptions): Ctx {
  const host = creds.host.toLowerCase();
  if (!HOST_RE.test(creds.host)) {
    throw new UsageError(
      `"${creds.host}" is not a Duo API hostname.`,
      'Give the hostname only, as shown in the Duo Admin Panel, e.g. api-XXXXXXXX.duosecurity.com (no https://, path or port).',
    );
  }
  let url: URL;
  try {
    url = new URL(opts.origin ?? `https://${host}`);
  } catch {
    throw new UsageError(`Invalid Duo origin "${opts.origin}".`, 'Use https://HOST[:PORT].');
  }
  if (url.protocol !== 'https:') {
    throw new UsageError(`Duo must be reached over HTTPS, not ${url.protocol}//.`, 'Use an https:// origin.');
  }
  const env = opts.env ?? process.env;
  const proxy = proxyFor(url, env);
  const secrets = [creds.skey, ...proxySecrets(env)].filter((s) => s.length >= 4);
  const ctx: Ctx = {
    host,
    creds,
    url,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    now: opts.now ?? (() => new Date()),
    ...(opts.ca !== undefined ? { ca: [...systemRoots(), opts.ca.toString()] } : {}),
    ...(proxy ? { proxy } : {}),
    scrub: (r) => scrubResult(r, secrets),
  };
  return ctx;
}

/** The proxy for this URL from HTTPS_PROXY/https_proxy unless NO_PROXY/no_proxy excludes it. */
function proxyFor(url: URL, env: Record<string, string | undefined>): { uri: string; display: string } | undefined {
  const raw = (env.https_proxy ?? env.HTTPS_PROXY ?? '').trim();
  if (!raw) return undefined;
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port || 443);
  for (const entry of noProxy.split(/[,\s]+/).filter(Boolean)) {
    if (entry === '*') return undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry);
    const name = (m?.[1] ?? entry).replace(/^\*?\./, '').replace(/^\[|\]$/g, '').toLowerCase();
    if (m?.[2] && Number(m[2]) !== port) continue;
    if (name && (hostname === name || hostname.endsWith(`.${name}`))) return undefined;
  }
  const uri = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let display = uri;
  try {
    const u = new URL(uri);
    display = `${u.protocol}//${u.host}`; // never show proxy credentials
  } catch {
    display = '(unparseable HTTPS_PROXY value)';
  }
  return { uri, display };
}

/** Proxy user/password from HTTPS_PROXY, so they can be scrubbed from any message. */
function proxySecrets(env: Record<string, string | undefined>): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec((env.https_proxy ?? env.HTTPS_PROXY ?? '').trim());
  if (!m?.[1]) return [];
  const pass = m[1].slice(m[1].indexOf(':') + 1);
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return m[1].includes(':') ? [m[1], pass, dec(pass)] : [m[1]];
}

async function withDispatcher<T>(ctx: Ctx, fn: (d: Dispatcher) => Promise<T>): Promise<T> {
  const { Agent, ProxyAgent } = await loadUndici();
  const tlsOpts = { ...(ctx.ca ? { ca: ctx.ca } : {}), servername: ctx.host };
  const common = { headersTimeout: ctx.timeoutMs, bodyTimeout: ctx.timeoutMs, connections: 2 };
  let dispatcher: Dispatcher;
  if (ctx.proxy) {
    try {
      dispatcher = new ProxyAgent({
        ...common,
        uri: ctx.proxy.uri,
        requestTls: { ...tlsOpts, timeout: ctx.timeoutMs },
        proxyTls: { ...(ctx.ca ? { ca: ctx.ca } : {}), timeout: ctx.timeoutMs },
      });
    } catch (err) {
      // Dispatcher construction only fails for an unusable proxy URL: report it like a network failure.
      const failure = ctx.scrub({
        kind: 'unreachable',
        host: ctx.host,
        proxy: ctx.proxy.display,
        cause: `invalid proxy setting (${err instanceof Error ? err.name : 'error'})`,
        message: `Cannot reach Duo at ${ctx.host}: the HTTPS_PROXY value is not a usable proxy URL.`,
        fix: 'Set HTTPS_PROXY to http://proxy.example:3128 (or unset it), then re-run.',
      } satisfies PreflightFailure);
      throw new DuoApiError(failure);
    }
  } else {
    dispatcher = new Agent({ ...common, connect: { ...tlsOpts, timeout: ctx.timeoutMs } });
  }
  try {
    return await fn(dispatcher);
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}

interface DuoBody {
  stat?: unknown;
  response?: unknown;
  code?: unknown;
  message?: unknown;
  message_detail?: unknown;
}

interface Answer {
  status: number;
  body: DuoBody | undefined;
}

type Outcome<T> = { ok: T } | { failure: PreflightFailure };

async function send(
  ctx: Ctx,
  d: Dispatcher,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string>,
  signed: boolean,
): Promise<Answer | { failure: PreflightFailure }> {
  const { request } = await loadUndici();
  const date = rfc2822Date(ctx.now());
  const qs = canonParams(params);
  const headers: Record<string, string> = {
    host: ctx.host,
    date,
    'user-agent': `duo-jira/${version()}`,
    accept: 'application/json',
  };
  if (signed) {
    headers.authorization = signV2({ ...ctx.creds, host: ctx.host, date, method, path, params }).authorization;
  }
  let body: string | undefined;
  let target = new URL(path, ctx.url);
  if (method === 'GET' && qs) target = new URL(`${path}?${qs}`, ctx.url);
  if (method === 'POST') {
    body = qs;
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  try {
    const res = await request(target, {
      method,
      headers,
      body,
      dispatcher: d,
      signal: AbortSignal.timeout(ctx.timeoutMs),
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
    });
    const text = await readLimited(res.body, MAX_BODY_BYTES);
    let parsed: DuoBody | undefined;
    try {
      const v: unknown = JSON.parse(text);
      parsed = v && typeof v === 'object' ? (v as DuoBody) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed };
  } catch (err) {
    return { failure: ctx.scrub(classifyNetworkError(err, ctx)) };
  }
}

async function readLimited(body: AsyncIterable<Uint8Array> & { destroy?: () => unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > limit) {
      body.destroy?.();
      break;
    }
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function doPing(ctx: Ctx, d: Dispatcher): Promise<Outcome<PingResult>> {
  const t0 = ctx.now().getTime();
  const a = await send(ctx, d, 'GET', '/auth/v2/ping', {}, false);
  const t1 = ctx.now().getTime();
  if ('failure' in a) return a;
  const time = okTime(a);
  if (time === undefined) return { failure: ctx.scrub(httpFailure(ctx, a, 'ping')) };
  // Duo's time is whole seconds (truncated): compare with the middle of its second and of our round trip.
  const skewSeconds = Math.round(((t0 + t1) / 2 / 1000 - (time + 0.5)) * 10) / 10;
  return { ok: { serverTime: time, skewSeconds } };
}

async function doCheck(ctx: Ctx, d: Dispatcher, skewSeconds: number | undefined): Promise<Outcome<CheckResult>> {
  const a = await send(ctx, d, 'GET', '/auth/v2/check', {}, true);
  if ('failure' in a) return a;
  const time = okTime(a);
  if (time !== undefined) return { ok: { serverTime: time } };
  return { failure: ctx.scrub(rejection(ctx, a, skewSeconds)) };
}

function okTime(a: Answer): number | undefined {
  if (a.status !== 200 || a.body?.stat !== 'OK') return undefined;
  const r = a.body.response;
  const t = r && typeof r === 'object' ? (r as { time?: unknown }).time : undefined;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

function duoFields(a: Answer): { code?: number; duoMessage?: string } {
  const b = a.body;
  if (!b) return {};
  const code = typeof b.code === 'number' ? b.code : typeof b.code === 'string' && /^\d+$/.test(b.code) ? Number(b.code) : undefined;
  const msg = typeof b.message === 'string' ? b.message.trim() : '';
  const detail = typeof b.message_detail === 'string' ? b.message_detail.trim() : '';
  const duoMessage = [msg, detail].filter(Boolean).join(': ');
  return { ...(code !== undefined ? { code } : {}), ...(duoMessage ? { duoMessage: oneLine(duoMessage) } : {}) };
}

function said(status: number, code: number | undefined, duoMessage: string | undefined): string {
  const where = `HTTP ${status}${code !== undefined ? `, code ${code}` : ''}`;
  return duoMessage ? `"${duoMessage}" (${where})` : `(${where}, no Duo error message)`;
}

const CLOCK_FIX =
  "Synchronise this machine's clock with NTP (e.g. `timedatectl set-ntp true`, chrony or ntpd) and re-run; Jira signs every Duo request with this clock.";

/** Classify a non-OK answer to the signed check. */
function rejection(ctx: Ctx, a: Answer, skewSeconds: number | undefined): PreflightFailure {
  const { code, duoMessage } = duoFields(a);
  const skewed = skewSeconds !== undefined && Math.abs(skewSeconds) > ALLOWED_SKEW_SECONDS;
  const dateComplaint = /\b(date|time|timestamp|clock|expired)\b/i.test(duoMessage ?? '');
  if (a.status === 401 && code === 40102) {
    return {
      kind: 'bad-ikey',
      host: ctx.host,
      status: a.status,
      code,
      duoMessage: duoMessage ?? '',
      message: `Duo rejected integration key ${ctx.creds.ikey}: ${said(a.status, code, duoMessage)}.`,
      fix: `Copy the integration key again from the Duo Admin Panel (Applications → the Jira / Web SDK application whose API hostname is ${ctx.host}).`,
    };
  }
  if (a.status === 401 && (skewed || (code === 40103 && dateComplaint))) {
    return {
      kind: 'clock-skew',
      host: ctx.host,
      ...(skewSeconds !== undefined ? { skewSeconds } : {}),
      allowedSkewSeconds: ALLOWED_SKEW_SECONDS,
      status: a.status,
      ...(code !== undefined ? { code } : {}),
      ...(duoMessage ? { duoMessage } : {}),
      message:
        `Duo rejected the signed request ${said(a.status, code, duoMessage)}` +
        (skewSeconds !== undefined
          ? `; this machine's clock is ${describeSkew(skewSeconds)} (allowed ±${ALLOWED_SKEW_SECONDS} s).`
          : '; Duo complained about the request date.'),
      fix: CLOCK_FIX + ' If the clock is right, copy the secret key again.',
    };
  }
  if (a.status === 401 && code === 40103) {
    return {
      kind: 'bad-skey',
      host: ctx.host,
      status: a.status,
      code,
      duoMessage: duoMessage ?? '',
      message: `Duo rejected the signature made with the secret key: ${said(a.status, code, duoMessage)}.`,
      fix: `Copy the secret key again from the same Duo application as integration key ${ctx.creds.ikey} (40 characters, no spaces or quotes).`,
    };
  }
  return httpFailure(ctx, a, 'check');
}

function httpFailure(ctx: Ctx, a: Answer, what: 'ping' | 'check'): PreflightFailure {
  const { code, duoMessage } = duoFields(a);
  const path = `/auth/v2/${what}`;
  let fix: string;
  if (a.status === 200) fix = `Check that ${ctx.host} is the API hostname from the Duo Admin Panel; something other than Duo answered.`;
  else if (a.status === 429) fix = 'Duo is rate-limiting these credentials; wait a minute and re-run.';
  else if (a.status >= 500) fix = 'This is a Duo-side problem; re-run later and check https://status.duo.com.';
  else if (code === 40104) fix = 'The Date header did not reach Duo intact; check that no proxy rewrites or strips request headers.';
  else if (a.status === 404 || (a.status >= 300 && a.status < 400)) fix = `Check that ${ctx.host} is the API hostname of an Auth API / Web SDK application (not the Admin Panel address).`;
  else fix = `Check the API hostname and keys in the Duo Admin Panel; Duo refused GET ${path}.`;
  const unexpected = a.status === 200 ? ' with a response that is not Duo\'s' : '';
  return {
    kind: 'http-error',
    host: ctx.host,
    status: a.status,
    ...(code !== undefined ? { code } : {}),
    ...(duoMessage ? { duoMessage } : {}),
    message: `Duo answered GET ${path} on ${ctx.host}${unexpected} ${said(a.status, code, duoMessage)}.`,
    fix,
  };
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UND_ERR_PRX_TLS$|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT|DECODE)/;

function errorChain(err: unknown): Array<{ code?: string; name?: string; message?: string }> {
  const out: Array<{ code?: string; name?: string; message?: string }> = [];
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    const e = cur as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    out.push({
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.name === 'string' ? { name: e.name } : {}),
      ...(typeof e.message === 'string' ? { message: e.message } : {}),
    });
    cur = e.cause;
  }
  return out;
}

function classifyNetworkError(err: unknown, ctx: Ctx): PreflightFailure {
  const chain = errorChain(err);
  const codes = chain.map((e) => e.code).filter((c): c is string => Boolean(c));
  const first = chain.find((e) => e.message)?.message ?? String(err);
  const via = ctx.proxy ? ` via proxy ${ctx.proxy.display}` : '';
  const proxy = ctx.proxy ? { proxy: ctx.proxy.display } : {};
  const base = { host: ctx.host, ...proxy };

  const tlsCode = codes.find((c) => TLS_CODE.test(c));
  if (tlsCode) {
    const cause = `${tlsCode}: ${oneLine(chain.find((e) => e.code === tlsCode)?.message ?? first)}`;
    let fix: string;
    if (/EXPIRED|NOT_YET_VALID/.test(tlsCode)) {
      fix = "Check this machine's date and time first (a wrong clock makes valid certificates look expired); never disable certificate verification.";
    } else if (/ALTNAME|HOSTNAME/.test(tlsCode)) {
      fix = `The certificate is not for ${ctx.host}: check the API hostname, and whether a proxy or firewall intercepts HTTPS.`;
    } else {
      fix =
        "The certificate is not signed by a CA this machine trusts. If a TLS-inspecting proxy or firewall sits between this machine and Duo, supply its CA certificate (PEM); never disable certificate verification.";
    }
    return { kind: 'tls', ...base, cause, message: `TLS connection to ${ctx.host}${via} failed: ${cause}.`, fix };
  }

  const timedOut =
    chain.some((e) => e.name === 'TimeoutError') ||
    codes.some((c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'ETIMEDOUT');
  const proxyStatus = /Proxy response \((\d+)\)/.exec(chain.map((e) => e.message ?? '').join(' '))?.[1];
  const firewallFix = `Allow outbound HTTPS (TCP 443) from this machine to ${ctx.host}, or set HTTPS_PROXY if outbound traffic must use a proxy.`;

  let cause: string;
  let fix: string;
  if (proxyStatus) {
    cause = `the proxy refused to open a tunnel (HTTP ${proxyStatus})`;
    fix =
      proxyStatus === '407'
        ? 'The proxy wants credentials: put them in HTTPS_PROXY (http://user:password@proxy:port) or ask for this host to be allowed.'
        : `Ask the proxy administrator to allow CONNECT to ${ctx.host}:443, or add ${ctx.host} to NO_PROXY if it is reachable directly.`;
  } else if (timedOut) {
    cause = `no answer within ${ctx.timeoutMs / 1000} s`;
    fix = firewallFix;
  } else if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN') || codes.includes('EAI_NONAME')) {
    cause = `DNS lookup failed (${codes.find((c) => c.startsWith('E'))})`;
    fix = `Check the API hostname spelling (e.g. api-XXXXXXXX.duosecurity.com) and this machine's DNS settings.`;
  } else if (codes.includes('ECONNREFUSED')) {
    cause = `connection refused (${ctx.proxy ? 'by the proxy' : `${ctx.url.host}`})`;
    fix = ctx.proxy ? `Check the HTTPS_PROXY address (${ctx.proxy.display}); nothing accepts connections there.` : firewallFix;
  } else {
    const code = codes[0];
    cause = oneLine(code ? `${code}: ${first}` : first);
    fix = firewallFix;
  }
  return { kind: 'unreachable', ...base, cause, message: `Cannot reach Duo at ${ctx.host}${via}: ${cause}.`, fix };
}

function describeSkew(s: number): string {
  const abs = Math.abs(s);
  if (abs < 1) return 'in sync with Duo';
  const amount = abs < 120 ? `${Math.round(abs)} s` : `${Math.round(abs / 60)} min (${Math.round(abs)} s)`;
  return `${amount} ${s > 0 ? 'ahead of' : 'behind'} Duo's`;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? t.slice(0, 297) + '...' : t;
}

/** Defence in depth: no string in a result may contain the secret key or an Authorization value. */
function scrubResult<T extends PreflightResult>(r: T, secrets: string[]): T {
  const clean = (s: string) => {
    let out = s.replace(/Basic\s+[A-Za-z0-9+/=]{8,}/g, 'Basic [redacted]');
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const copy: Record<string, unknown> = { ...r };
  for (const [k, v] of Object.entries(copy)) if (typeof v === 'string') copy[k] = clean(v);
  return copy as T;
}

/** node:tls only when a custom CA is given: loading it costs a few ms of every install's start. */
function systemRoots(): readonly string[] {
  return (createRequire(import.meta.url)('node:tls') as typeof import('node:tls')).rootCertificates;
}

let cachedVersion: string | undefined;
/** duo-jira's version from the nearest package.json named duo-jira (works from src/ and dist/). */
function version(): string {
  if (cachedVersion) return cachedVersion;
  cachedVersion = '0.0.0';
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'duo-jira' && pkg.version) {
          cachedVersion = pkg.version;
          break;
        }
      } catch {
        // keep walking up
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  } catch {
    // import.meta.url not a file URL: keep the fallback
  }
  return cachedVersion;
}
