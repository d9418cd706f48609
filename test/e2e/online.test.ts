// The built CLI talking to Duo for real (well, to the local fake Duo, reached the way a locked-down Jira
// host reaches Duo: through HTTPS_PROXY, trusting an extra CA from NODE_EXTRA_CA_CERTS). This exercises the
// bundled client, which in-process tests of the TypeScript sources cannot.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, SAMPLE_RELEASE, snapshotTree, tempJira, type TempJira } from '../support/cli.js';
import { FAKE_DUO_IKEY, FAKE_DUO_SKEY, startConnectProxy, startFakeDuo, type ConnectProxy, type FakeDuo } from '../support/fake-duo.js';
import { opensslAvailable, OPENSSL_MISSING } from '../support/tls.js';

const haveOpenssl = await opensslAvailable();
if (!haveOpenssl) console.warn(OPENSSL_MISSING);

describe.skipIf(!haveOpenssl)('built CLI against the fake Duo through a proxy', () => {
  let duo: FakeDuo;
  let proxy: ConnectProxy;
  let t: TempJira;
  beforeAll(async () => {
    duo = await startFakeDuo();
    proxy = await startConnectProxy({ routes: { [`${duo.host}:443`]: duo.port } });
  });
  afterAll(async () => { await proxy?.close(); await duo?.close(); });
  afterEach(() => t?.cleanup());

  const env = (t: TempJira, skey = FAKE_DUO_SKEY) => {
    const ca = join(t.root, 'ca.pem');
    writeFileSync(ca, duo.ca);
    return { DUO_SKEY: skey, HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '', NODE_EXTRA_CA_CERTS: ca };
  };
  const args = (t: TempJira) => ['install', '-d', t.dir, '-i', FAKE_DUO_IKEY, '-h', duo.host, '--artifacts', SAMPLE_RELEASE];

  it('install checks the keys with Duo before writing; doctor confirms them', async () => {
    t = tempJira('jira-7');
    const r = await cli(t, args(t), { env: env(t) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Duo accepted the keys (${duo.host})`);
    expect(proxy.connects).toContain(`${duo.host}:443`);
    const d = await cli(t, ['doctor', '-d', t.dir, '--json'], { env: env(t) });
    const doc = JSON.parse(d.stdout);
    expect(doc.state).toBe('installed');
    expect(doc.checks.find((c: { id: string }) => c.id === 'duo.keys').status).toBe('ok');
  });

  it('a wrong skey: exit 3 in Duo\'s words, nothing changed, the key never printed', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    const wrong = FAKE_DUO_SKEY.replace(/.$/, 'Z');
    const r = await cli(t, args(t), { env: env(t, wrong) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/Invalid signature in request credentials/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(snapshotTree(t.dir)).toEqual(before);
  });
});
