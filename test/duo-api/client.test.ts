// The Duo Auth API client against a local HTTPS fake Duo (127.0.0.1 only; no other network).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOWED_SKEW_SECONDS,
  check,
  DuoApiError,
  ping,
  preflight,
  type DuoCredentials,
  type PreflightResult,
} from '../../src/duo-api/client.js';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import {
  closedPort,
  startBlackHole,
  startConnectProxy,
  startFakeDuo,
  type ConnectProxy,
  type FakeDuo,
} from '../support/fake-duo.js';
import { OPENSSL_MISSING, opensslAvailable } from '../support/tls.js';

const haveOpenssl = await opensslAvailable();
if (!haveOpenssl) console.warn(OPENSSL_MISSING);

const WRONG_SKEY = 'WrongSecretKeyWrongSecretKeyWrongSecret1';

/** What must never leak into anything a user or a log could see. */
function expectNoSecrets(result: unknown, skey: string) {
  const text = JSON.stringify(result);
  expect(text).not.toContain(skey);
  expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
}

describe.skipIf(!haveOpenssl)('preflight against a fake Duo', () => {
  let duo: FakeDuo;
  let creds: DuoCredentials;
  // Tests pass env explicitly so the developer's own proxy settings never route these requests.
  const base = () => ({ origin: duo.origin, ca: duo.ca, env: {} as Record<string, string | undefined> });

  beforeAll(async () => {
    duo = await startFakeDuo();
    creds = { ikey: duo.ikey, skey: duo.skey, host: duo.host };
  });
  afterAll(async () => {
    await duo?.close();
  });

  it('good keys → ok, with the clock in sync', async () => {
    const r = await preflight(creds, base());
    expect(r.kind).toBe('ok');
    expect(r.message).toContain(duo.host);
    expect(r.message).toContain(duo.ikey);
    if (r.kind === 'ok') expect(Math.abs(r.skewSeconds)).toBeLessThan(5);
    expectNoSecrets(r, creds.skey);
  });

  it('wrong secret key → bad-skey, in Duo\'s words, without echoing any key material', async () => {
    const r = await preflight({ ...creds, skey: WRONG_SKEY }, base());
    expect(r.kind).toBe('bad-skey');
    expect(r.message).toContain('Invalid signature in request credentials');
    expect(r.message).toContain('40103');
    expect(r.fix).toMatch(/secret key/i);
    expectNoSecrets(r, WRONG_SKEY);
  });

  it('wrong integration key → bad-ikey', async () => {
    const r = await preflight({ ...creds, ikey: 'DIWRONGWRONGWRONG000' }, base());
    expect(r.kind).toBe('bad-ikey');
    expect(r.message).toContain('Invalid integration key in request credentials');
    expect(r.message).toContain('DIWRONGWRONGWRONG000');
    expect(r.fix).toMatch(/integration key/i);
    expectNoSecrets(r, creds.skey);
  });

  it('Duo rate-limiting or failing → http-error that keeps Duo\'s code and message', async () => {
    const busy = await startFakeDuo({ failWith: { status: 429, code: 42901, message: 'Too Many Requests' } });
    try {
      const r = await preflight(creds, { origin: busy.origin, ca: busy.ca, env: {} });
      expect(r).toMatchObject({ kind: 'http-error', status: 429, code: 42901, duoMessage: 'Too Many Requests' });
      expect(r.message).toContain('Too Many Requests');
      expect(r.fix).toMatch(/wait/i);
    } finally {
      await busy.close();
    }
  });

  it('a Duo 4xx with a detail shows message and message_detail', async () => {
    const odd = await startFakeDuo({
      failWith: { status: 400, code: 40002, message: 'Invalid request parameters', message_detail: 'foo' },
    });
    try {
      const r = await preflight(creds, { origin: odd.origin, ca: odd.ca, env: {} });
      expect(r.kind).toBe('http-error');
      expect(r.message).toContain('"Invalid request parameters: foo"');
    } finally {
      await odd.close();
    }
  });

  it('requests identify duo-jira and carry the signed Date and the Duo Host', async () => {
    const before = duo.requests.length;
    await preflight(creds, base());
    const seen = duo.requests.slice(before);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(seen.map((r) => r.path)).toEqual(['/auth/v2/ping', '/auth/v2/check']);
    for (const r of seen) {
      expect(r.headers['user-agent']).toBe(`duo-jira/${pkg.version}`);
      expect(r.headers.host).toBe(duo.host);
      expect(r.headers.date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/);
    }
    expect(seen[0]?.headers.authorization).toBeUndefined(); // ping is unsigned
    expect(seen[1]?.headers.authorization).toMatch(/^Basic /);
  });

  it('ping() reports Duo\'s time and the skew; check() throws a typed error carrying the outcome', async () => {
    const p = await ping(duo.host, base());
    expect(Math.abs(p.serverTime - Date.now() / 1000)).toBeLessThan(5);
    expect(Math.abs(p.skewSeconds)).toBeLessThan(5);

    await expect(check(creds, base())).resolves.toMatchObject({ serverTime: expect.any(Number) });
    const err = await check({ ...creds, skey: WRONG_SKEY }, base()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuoApiError);
    expect(err).toBeInstanceOf(EnvironmentError);
    const e = err as DuoApiError;
    expect(e.result.kind).toBe('bad-skey');
    expect(e.message).toContain('Invalid signature in request credentials');
    expect(e.hint).toBe(e.result.fix);
    expectNoSecrets({ m: e.message, h: e.hint, s: e.stack, r: e.result }, WRONG_SKEY);
  });

  it('rejects a hostname with a scheme or path before any request', async () => {
    await expect(preflight({ ...creds, host: 'https://api-x.duosecurity.com/' }, base())).rejects.toBeInstanceOf(UsageError);
    await expect(ping('api-x.duosecurity.com:443', base())).rejects.toBeInstanceOf(UsageError);
  });
});

describe.skipIf(!haveOpenssl)('clock skew', () => {
  let duo: FakeDuo;
  beforeAll(async () => {
    duo = await startFakeDuo();
  });
  afterAll(async () => {
    await duo?.close();
  });
  const credsOf = (d: FakeDuo) => ({ ikey: d.ikey, skey: d.skey, host: d.host });

  it(`allowed skew is ${ALLOWED_SKEW_SECONDS} s`, () => {
    expect(ALLOWED_SKEW_SECONDS).toBe(300);
  });

  it('local clock 10 minutes behind Duo → clock-skew, with Duo\'s rejection and the measured offset', async () => {
    duo.setClockOffset(600);
    try {
      const r = await preflight(credsOf(duo), { origin: duo.origin, ca: duo.ca, env: {} });
      expect(r.kind).toBe('clock-skew');
      if (r.kind !== 'clock-skew') return;
      expect(r.skewSeconds).toBeGreaterThan(-605);
      expect(r.skewSeconds).toBeLessThan(-595);
      expect(r.message).toMatch(/10 min .*behind/);
      expect(r.message).toContain('Invalid signature in request credentials'); // Duo's own words
      expect(r.fix).toMatch(/NTP|clock/);
      expectNoSecrets(r, duo.skey);
    } finally {
      duo.setClockOffset(0);
    }
  });

  it('local clock 10 minutes ahead (opts.now) → clock-skew, not bad-skey', async () => {
    const r = await preflight(credsOf(duo), {
      origin: duo.origin,
      ca: duo.ca,
      env: {},
      now: () => new Date(Date.now() + 600_000),
    });
    expect(r.kind).toBe('clock-skew');
    expect(r.message).toMatch(/ahead/);
  });

  it('Duo accepting a request from a clock beyond the allowed skew is still reported as clock-skew', async () => {
    const lenient = await startFakeDuo({ clockOffsetSeconds: 600, maxSkewSeconds: 3600 });
    try {
      const r = await preflight(credsOf(lenient), { origin: lenient.origin, ca: lenient.ca, env: {} });
      expect(r.kind).toBe('clock-skew');
      expect(r.message).toMatch(/Duo accepted the keys/);
    } finally {
      await lenient.close();
    }
  });
});

describe.skipIf(!haveOpenssl)('network and TLS failures', () => {
  let duo: FakeDuo;
  let creds: DuoCredentials;
  beforeAll(async () => {
    duo = await startFakeDuo();
    creds = { ikey: duo.ikey, skey: duo.skey, host: duo.host };
  });
  afterAll(async () => {
    await duo?.close();
  });

  it('nothing listening → unreachable, naming the host and the cause', async () => {
    const port = await closedPort();
    const r = await preflight(creds, { origin: `https://127.0.0.1:${port}`, ca: duo.ca, env: {} });
    expect(r.kind).toBe('unreachable');
    expect(r.message).toContain(duo.host);
    if (r.kind === 'unreachable') expect(r.cause).toMatch(/connection refused/);
    expect(r.fix).toMatch(/443|HTTPS_PROXY/);
  });

  it('no answer → unreachable after the timeout', async () => {
    const hole = await startBlackHole();
    try {
      const t0 = Date.now();
      const r = await preflight(creds, { origin: `https://127.0.0.1:${hole.port}`, ca: duo.ca, env: {}, timeoutMs: 400 });
      expect(r.kind).toBe('unreachable');
      if (r.kind === 'unreachable') expect(r.cause).toMatch(/no answer within 0.4 s/);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await hole.close();
    }
  });

  it('server certificate not trusted (no ca option) → tls', async () => {
    const r = await preflight(creds, { origin: duo.origin, env: {} });
    expect(r.kind).toBe('tls');
    expect(r.message).toContain(duo.host);
    expect(r.fix).toMatch(/CA certificate/);
    expect(r.fix).toMatch(/never disable/);
    await expect(ping(duo.host, { origin: duo.origin, env: {} })).rejects.toMatchObject({ result: { kind: 'tls' } });
  });

  it('certificate for another name → tls (the name checked is the Duo host, not the IP)', async () => {
    const impostor = await startFakeDuo({ certNames: ['api-other.duosecurity.test'] });
    try {
      const r = await preflight(creds, { origin: impostor.origin, ca: impostor.ca, env: {} });
      expect(r.kind).toBe('tls');
      if (r.kind === 'tls') expect(r.cause).toMatch(/ALTNAME|not in the cert|does not match/i);
    } finally {
      await impostor.close();
    }
  });
});

describe.skipIf(!haveOpenssl)('proxy support', () => {
  let duo: FakeDuo;
  let proxy: ConnectProxy;
  let creds: DuoCredentials;
  beforeAll(async () => {
    duo = await startFakeDuo();
    proxy = await startConnectProxy();
    creds = { ikey: duo.ikey, skey: duo.skey, host: duo.host };
  });
  afterAll(async () => {
    await proxy?.close();
    await duo?.close();
  });

  it('HTTPS_PROXY routes the requests through the proxy (CONNECT tunnel, TLS still verified end to end)', async () => {
    const before = proxy.connects.length;
    const r = await preflight(creds, { origin: duo.origin, ca: duo.ca, env: { HTTPS_PROXY: proxy.url } });
    expect(r.kind).toBe('ok');
    expect(proxy.connects.slice(before)).toContain(`127.0.0.1:${duo.port}`);
  });

  it('lower-case https_proxy works too, and the tunnel does not make an untrusted cert acceptable', async () => {
    const before = proxy.connects.length;
    const r = await preflight(creds, { origin: duo.origin, env: { https_proxy: proxy.url } });
    expect(r.kind).toBe('tls');
    expect(r.message).toContain(`via proxy ${proxy.url}`);
    expect(proxy.connects.length).toBeGreaterThan(before);
  });

  it('NO_PROXY bypasses the proxy; no proxy variables means a direct connection', async () => {
    const before = proxy.connects.length;
    const r1 = await preflight(creds, { origin: duo.origin, ca: duo.ca, env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    const r2 = await preflight(creds, { origin: duo.origin, ca: duo.ca, env: {} });
    expect([r1.kind, r2.kind]).toEqual(['ok', 'ok']);
    expect(proxy.connects.length).toBe(before);
  });

  it('a dead proxy → unreachable naming the proxy, without its password', async () => {
    const port = await closedPort();
    const r: PreflightResult = await preflight(creds, {
      origin: duo.origin,
      ca: duo.ca,
      env: { HTTPS_PROXY: `http://alice:pr0xyPassw0rd@127.0.0.1:${port}` },
    });
    expect(r.kind).toBe('unreachable');
    expect(r.message).toContain(`via proxy http://127.0.0.1:${port}`);
    expect(r.fix).toMatch(/HTTPS_PROXY/);
    expect(JSON.stringify(r)).not.toContain('pr0xyPassw0rd');
  });
});
