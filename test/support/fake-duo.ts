// A local HTTPS fake of Duo's Auth API v2 (ping, check, preauth) for tests, bound to 127.0.0.1 only.
//
// It checks requests the way Duo does: it recomputes the sig v2 canonical string from the received
// Date header, method, *its own configured API hostname* (not the Host header), path and params, and
// compares the HMAC-SHA1 hex from the Authorization header. Responses use Duo's real shapes/codes
// (see /work/shared/reference/duo.md section 4). Its clock can be offset to simulate a skewed client.
//
// Usage from any test:
//   const duo = await startFakeDuo({ clockOffsetSeconds: 0 });   // throws if openssl is missing:
//   // guard with `(await opensslAvailable())` from ./tls.js and skip with OPENSSL_MISSING.
//   preflight({ ikey: duo.ikey, skey: duo.skey, host: duo.host }, { origin: duo.origin, ca: duo.ca });
//   await duo.close();
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createTestCa, issueServerCert, type TestCa } from './tls.js';

export const FAKE_DUO_HOST = 'api-test0001.duosecurity.test';
export const FAKE_DUO_IKEY = 'DIFAKEDUOTESTIKEY001';
export const FAKE_DUO_SKEY = 'fakeDuoTestSecretKey0123456789abcdefABCD';

export interface FakeDuoOptions {
  /** API hostname the server signs against (and its certificate names). */
  host?: string;
  ikey?: string;
  skey?: string;
  /** Server clock = real time + offset. +600 means "the client clock is 10 minutes behind Duo". */
  clockOffsetSeconds?: number;
  /** Largest accepted |Date header − server clock|, seconds. Default 300. */
  maxSkewSeconds?: number;
  /** DNS names in the server certificate; default [host]. */
  certNames?: string[];
  /** Force a status for every authenticated endpoint (e.g. 429 or 503) with Duo's error shape. */
  failWith?: { status: number; code: number; message: string; message_detail?: string };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  status: number;
  code?: number;
}

export interface FakeDuo {
  /** `https://127.0.0.1:PORT`, for the client's test-only `origin` option. */
  origin: string;
  port: number;
  host: string;
  ikey: string;
  skey: string;
  /** PEM of the CA that signed the server certificate (pass as the client's `ca`). */
  ca: string;
  /** Every request seen, in order. */
  requests: ReceivedRequest[];
  setClockOffset(seconds: number): void;
  /** The server's (possibly offset) clock. */
  now(): Date;
  close(): Promise<void>;
}

let sharedCa: Promise<TestCa> | undefined;
/** One CA per test process: generating keys is the slow part. */
export function testCa(): Promise<TestCa> {
  sharedCa ??= createTestCa();
  return sharedCa;
}

// Duo's encoding (same as the client's canonParams, re-implemented here so the fake is independent).
function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')))
    .join('');
}

function parseForm(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    out[k] = decodeURIComponent(i < 0 ? '' : part.slice(i + 1));
  }
  return out;
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeDuo(opts: FakeDuoOptions = {}): Promise<FakeDuo> {
  const host = (opts.host ?? FAKE_DUO_HOST).toLowerCase();
  const ikey = opts.ikey ?? FAKE_DUO_IKEY;
  const skey = opts.skey ?? FAKE_DUO_SKEY;
  const maxSkew = opts.maxSkewSeconds ?? 300;
  let offsetMs = (opts.clockOffsetSeconds ?? 0) * 1000;
  const now = () => new Date(Date.now() + offsetMs);

  const ca = await testCa();
  const serverCert = await issueServerCert(ca, opts.certNames ?? [host]);
  const requests: ReceivedRequest[] = [];

  type Reply = { status: number; body: Record<string, unknown> };
  const fail = (status: number, code: number, message: string, message_detail?: string): Reply => ({
    status,
    body: { stat: 'FAIL', code, message, ...(message_detail ? { message_detail } : {}) },
  });
  const okTime = (): Reply => ({ status: 200, body: { stat: 'OK', response: { time: Math.floor(now().getTime() / 1000) } } });

  // Authenticate as Duo does; null means the request is authentic.
  function authenticate(method: string, path: string, params: Record<string, string>, headers: IncomingHttpHeaders): Reply | null {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(headers.authorization ?? '');
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    // 40101 wording is from third-party mocks only (unverified against Duo's documentation).
    if (colon < 0) return fail(401, 40101, 'Missing request credentials');
    const date = headers.date;
    // 40104 "Missing request timestamp" is what Duo answers when the Date header is absent or
    // unparseable (seen in real responses: JohnDuprey/DuoSecurity#32, a Cisco community thread).
    if (!date || Number.isNaN(Date.parse(date))) return fail(401, 40104, 'Missing request timestamp');
    if (decoded.slice(0, colon) !== ikey) return fail(401, 40102, 'Invalid integration key in request credentials');
    const canonical = [date, method.toUpperCase(), host, path, Object.entries(params).map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&')].join('\n');
    const expected = Buffer.from(createHmac('sha1', skey).update(canonical).digest('hex'));
    const got = Buffer.from(decoded.slice(colon + 1));
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return fail(401, 40103, 'Invalid signature in request credentials');
    }
    // The code/message Duo uses for a Date too far from its clock is not documented in any source we
    // could find (duo.md "Unverified / gaps"), so this fake answers 40103 with a date message_detail:
    // a client must not rely on a distinct code to detect skew.
    const skew = Math.abs(Date.parse(date) - now().getTime()) / 1000;
    if (skew > maxSkew) {
      return fail(401, 40103, 'Invalid signature in request credentials', `Request date is too far from the server time (${Math.round(skew)} s)`);
    }
    return null;
  }

  async function handle(req: IncomingMessage): Promise<{ reply: Reply; params: Record<string, string>; path: string }> {
    const url = new URL(req.url ?? '/', 'https://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const params =
      method === 'POST' || method === 'PUT' ? parseForm(await readBody(req)) : parseForm(rawQuery);

    const routes: Record<string, string> = { '/auth/v2/ping': 'GET', '/auth/v2/check': 'GET', '/auth/v2/preauth': 'POST' };
    const allowed = routes[path];
    if (!allowed) return { reply: fail(404, 40401, 'Resource not found'), params, path };
    if (allowed !== method) return { reply: fail(405, 40501, 'Method not allowed'), params, path };
    if (path === '/auth/v2/ping') return { reply: okTime(), params, path }; // unsigned, as on Duo

    const denied = authenticate(method, path, params, req.headers);
    if (denied) return { reply: denied, params, path };
    if (opts.failWith) {
      const f = opts.failWith;
      return { reply: fail(f.status, f.code, f.message, f.message_detail), params, path };
    }
    if (path === '/auth/v2/check') return { reply: okTime(), params, path };
    if (!params.username) return { reply: fail(400, 40001, 'Missing required request parameters', 'username'), params, path };
    return { reply: { status: 200, body: { stat: 'OK', response: { result: 'auth', status_msg: 'Account is active', devices: [] } } }, params, path };
  }

  const server = createHttpsServer({ key: serverCert.key, cert: serverCert.cert }, (req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      ({ reply, params, path }) => {
        requests.push({ method: req.method ?? '', path, headers: req.headers, params, status: reply.status, code: reply.body.code as number | undefined });
        const body = JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(400).end();
      },
    );
  });

  const port = await listenLoopback(server);
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    host,
    ikey,
    skey,
    ca: ca.cert,
    requests,
    setClockOffset(seconds: number) {
      offsetMs = seconds * 1000;
    },
    now,
    close: () => closeServer(server),
  };
}

function listenLoopback(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr && typeof addr === 'object') resolve(addr.port);
      else reject(new Error('no port'));
    });
  });
}

function closeServer(server: NetServer & { closeAllConnections?: () => void }, sockets?: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
    for (const s of sockets ?? []) s.destroy();
  });
}

export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY. */
  url: string;
  /** `host:port` of every CONNECT tunnel that was opened. */
  connects: string[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP CONNECT proxy on 127.0.0.1. It only tunnels to loopback targets, refuses plain
 * proxying, and caps concurrent tunnels, so a test can never reach beyond the machine.
 */
export async function startConnectProxy(opts: { maxTunnels?: number; routes?: Record<string, number> } = {}): Promise<ConnectProxy> {
  const maxTunnels = opts.maxTunnels ?? 8;
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('CONNECT only\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    // `routes` maps a name (e.g. the fake Duo's API host on 443) to a loopback port: a test DNS of one entry.
    const routed = opts.routes?.[target];
    const m = routed ? ['', '127.0.0.1', String(routed)] : /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(target);
    if (!m || sockets.size >= maxTunnels * 2) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    connects.push(target);
    const upstream = netConnect(Number(m[2]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  const port = await listenLoopback(server);
  return { url: `http://127.0.0.1:${port}`, connects, close: () => closeServer(server, sockets) };
}

/** A loopback TCP server that accepts connections and never answers (to exercise timeouts). */
export async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  const port = await listenLoopback(server);
  return { port, close: () => closeServer(server, sockets) };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listenLoopback(server);
  await closeServer(server);
  return port;
}
