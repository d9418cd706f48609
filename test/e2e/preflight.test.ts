// install's credential pre-flight against the local fake Duo: keys Duo would reject never reach web.xml.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run as install, type InstallOptions } from '../../src/commands/install.js';
import { EnvironmentError } from '../../src/errors.js';
import { FAKE_DUO_IKEY, FAKE_DUO_SKEY, startFakeDuo, type FakeDuo } from '../support/fake-duo.js';
import { opensslAvailable, OPENSSL_MISSING } from '../support/tls.js';
import { snapshotTree, SAMPLE_RELEASE, tempJira, type TempJira } from '../support/cli.js';
import { testCtx } from '../doctor/ctx.js';

const haveOpenssl = await opensslAvailable();
if (!haveOpenssl) console.warn(OPENSSL_MISSING);

describe.skipIf(!haveOpenssl)('install pre-flight with Duo', () => {
  let duo: FakeDuo;
  let t: TempJira;
  beforeAll(async () => { duo = await startFakeDuo(); });
  afterAll(async () => { await duo?.close(); });
  afterEach(() => { t?.cleanup(); duo.setClockOffset(0); });

  const opts = (t: TempJira, skey = FAKE_DUO_SKEY, extra: Partial<InstallOptions> = {}): InstallOptions => ({
    jiraDir: t.dir, ikey: FAKE_DUO_IKEY, skey, host: duo.host, artifacts: SAMPLE_RELEASE, duo: { origin: duo.origin, ca: duo.ca }, ...extra,
  });
  const ctxFor = (t: TempJira) => testCtx({ DUO_JIRA_STATE_DIR: t.state });

  it('good keys: installs and says Duo accepted them', async () => {
    t = tempJira('jira-7');
    const c = ctxFor(t);
    expect(await install(opts(t), c.ctx)).toBe(0);
    expect(c.out()).toContain(`Duo accepted the keys (${duo.host})`);
    expect(duo.requests.some((r) => r.path === '/auth/v2/check' && r.status === 200)).toBe(true);
  });

  it('a wrong skey: exit 3 in Duo\'s words, and nothing changed', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    const wrong = FAKE_DUO_SKEY.replace(/.$/, 'Z');
    const c = ctxFor(t);
    const err = await install(opts(t, wrong), c.ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/Invalid signature in request credentials/);
    expect((err as Error).message + c.out() + c.err()).not.toContain(wrong);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('dry-run runs the pre-flight too', async () => {
    t = tempJira('jira-7');
    const err = await install(opts(t, FAKE_DUO_SKEY.replace(/.$/, 'Z'), { dryRun: true }), ctxFor(t).ctx).then(() => undefined, (e: unknown) => e);
    expect((err as EnvironmentError).exitCode).toBe(3);
  });

  it('a clock 10 minutes off is reported as such, nothing changed', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    duo.setClockOffset(600);
    const err = await install(opts(t), ctxFor(t).ctx).then(() => undefined, (e: unknown) => e);
    expect((err as EnvironmentError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/clock/i);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('--offline skips it with a warning in the plan', async () => {
    t = tempJira('jira-7');
    const c = ctxFor(t);
    expect(await install(opts(t, FAKE_DUO_SKEY.replace(/.$/, 'Z'), { offline: true, dryRun: true }), c.ctx)).toBe(0);
    expect(c.out()).toMatch(/pre-flight skipped \(--offline\)/);
  });
});
