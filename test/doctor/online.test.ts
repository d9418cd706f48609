// doctor's online checks against the local HTTPS fake Duo (127.0.0.1 only): good keys, a wrong secret key,
// a clock 10 minutes off, and Duo not reachable at all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run as doctor } from '../../src/commands/doctor.js';
import { run as install } from '../../src/commands/install.js';
import { closedPort, startFakeDuo, type FakeDuo } from '../support/fake-duo.js';
import { OPENSSL_MISSING, opensslAvailable } from '../support/tls.js';
import { makeTree, SAMPLE_RELEASE, testCtx, type Tree } from './ctx.js';

const haveOpenssl = await opensslAvailable();
if (!haveOpenssl) console.warn(OPENSSL_MISSING);

const WRONG_SKEY = 'WrongSecretKeyWrongSecretKeyWrongSecret1';

interface Check { id: string; status: string; finding: string; fix?: string }

describe.skipIf(!haveOpenssl)('doctor online, against a fake Duo', () => {
  let duo: FakeDuo;
  let t: Tree | undefined;

  beforeAll(async () => {
    duo = await startFakeDuo();
  });
  afterAll(async () => {
    await duo?.close();
  });
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function installed(skey: string): Promise<Tree> {
    const tree = await makeTree();
    const c = testCtx(tree.env);
    const code = await install({ jiraDir: tree.dir, ikey: duo.ikey, skey, host: duo.host, artifacts: SAMPLE_RELEASE, offline: true, yes: true }, c.ctx);
    expect(code, c.err() + c.out()).toBe(0);
    return tree;
  }

  async function run(tree: Tree, opts: { now?: () => Date; origin?: string; json?: boolean } = {}) {
    const c = testCtx(tree.env, opts.now ? { now: opts.now } : {});
    const code = await doctor({ jiraDir: tree.dir, jiraHome: tree.home, json: opts.json === true, duo: { origin: opts.origin ?? duo.origin, ca: duo.ca } }, c.ctx);
    return { code, out: c.out(), err: c.err() };
  }

  async function checks(tree: Tree, opts: { now?: () => Date; origin?: string } = {}) {
    const r = await run(tree, { ...opts, json: true });
    const doc = JSON.parse(r.out) as { state: string; checks: Check[] };
    const by = (id: string) => doc.checks.find((c) => c.id === id)!;
    return { ...r, doc, by };
  }

  it('good keys: reach, clock and keys ok', async () => {
    t = await installed(duo.skey);
    const r = await checks(t);
    expect(r.by('duo.reach')).toMatchObject({ status: 'ok', finding: expect.stringContaining(`${duo.host} answered over HTTPS`) });
    expect(r.by('duo.clock')).toMatchObject({ status: 'ok', finding: expect.stringMatching(/clock .*Duo's \(allowed ±300 s\)/) });
    expect(r.by('duo.keys')).toMatchObject({ status: 'ok', finding: expect.stringContaining(`Duo accepted integration key ${duo.ikey}`) });
    expect(r.doc.state).toBe('installed');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(duo.skey);
    // The request that reached "Duo" was signed: the fake verified it.
    expect(duo.requests.some((q) => q.path === '/auth/v2/check' && q.status === 200)).toBe(true);
  });

  it('wrong secret key: reported as the secret key, in Duo\'s words, exit 6, never echoed', async () => {
    t = await installed(WRONG_SKEY);
    const h = await run(t);
    expect(h.code).toBe(6);
    const keysLine = h.out.split('\n').find((l) => l.includes('Duo accepts the keys:'))!;
    expect(keysLine).toMatch(/^fail\s+Duo accepts the keys: the secret key \(skey\) is wrong: .*"Invalid signature.*".*40103/);
    expect(h.out).toContain(`fix: Copy the secret key again from the same Duo application as integration key ${duo.ikey}`);
    expect(h.out + h.err).not.toContain(WRONG_SKEY);

    const r = await checks(t);
    expect(r.by('duo.keys').status).toBe('fail');
    expect(r.by('duo.reach').status).toBe('ok');
    expect(r.out).not.toContain(WRONG_SKEY);
  });

  it('clock 10 minutes off: reported as the clock, not the keys', async () => {
    t = await installed(duo.skey);
    const behind = () => new Date(Date.now() - 10 * 60_000);
    const h = await run(t, { now: behind });
    expect(h.code).toBe(6);
    const clockLine = h.out.split('\n').find((l) => l.includes('Clock vs Duo:'))!;
    expect(clockLine).toMatch(/^fail\s+Clock vs Duo: this machine's clock is 10 min \(-(59\d|60\d) s\) behind Duo's \(allowed ±300 s\)/);
    expect(h.out).toMatch(/fix: Synchronise this machine's clock with NTP/);

    const r = await checks(t, { now: behind });
    expect(r.by('duo.clock').status).toBe('fail');
    expect(r.by('duo.keys').status).not.toBe('fail');
    expect(r.out).not.toContain(duo.skey);
  });

  it('Duo not reachable: duo.reach fails with the firewall fix, the rest skipped', async () => {
    t = await installed(duo.skey);
    const r = await checks(t, { origin: `https://127.0.0.1:${await closedPort()}` });
    expect(r.code).toBe(6);
    expect(r.by('duo.reach')).toMatchObject({ status: 'fail', finding: expect.stringContaining(`Cannot reach Duo at ${duo.host}`), fix: expect.stringContaining('Allow outbound HTTPS') });
    expect(r.by('duo.clock').status).toBe('skip');
    expect(r.by('duo.keys').status).toBe('skip');
  });

  it('--offline never talks to Duo', async () => {
    t = await installed(duo.skey);
    const before = duo.requests.length;
    const c = testCtx(t.env);
    const code = await doctor({ jiraDir: t.dir, jiraHome: t.home, offline: true, duo: { origin: duo.origin, ca: duo.ca } }, c.ctx);
    expect(code).toBe(0);
    expect(duo.requests.length).toBe(before);
    expect(c.out()).toMatch(/skip\s+Duo accepts the keys: skipped \(--offline\)/);
  });
});
