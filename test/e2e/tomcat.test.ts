// The built CLI against a real Tomcat 10 running the Jira-shaped fake (test/support/fake-jira-tomcat.ts):
// install/disable/enable/uninstall --restart must leave a Tomcat that actually loads what duo-jira wrote —
// duoauth right after security, with the configured keys — and an install whose filter cannot start must be
// undone automatically (exit 5) with Jira RUNNING again on the original files.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, inheritedEnv } from '../support/cli.js';
import { DUO_ARTIFACTS, VALID_DUO_KEYS, createFakeJira, haveTomcat, writeRejectingArtifacts, type FakeJira } from '../support/fake-jira-tomcat.js';
import { snapshot, type FileState } from '../support/tree.js';

const tomcat = haveTomcat();
if (!tomcat.ok) {
  // CI runs .ci/install-deps.sh first, so this only ever skips on a developer machine without Tomcat/javac.
  console.warn(`[skip] install/disable/enable/uninstall --restart on a real Tomcat: ${tomcat.why}`);
}

describe.skipIf(!tomcat.ok)('--restart on a real Tomcat (fake Jira, built CLI)', { timeout: 180_000 }, () => {
  let fake: FakeJira;
  let home: string;
  let state: string;
  let webappBefore: Map<string, FileState>;
  let homeBefore: Map<string, FileState>;
  // --method scripts: hermetic, whatever systemd units or init scripts this machine has.
  const restart = ['--restart', '--method', 'scripts', '--timeout', '90'];

  const cli = (args: string[]) =>
    execa('node', [BIN, ...args], {
      reject: false,
      cwd: fake.root,
      env: { ...inheritedEnv(), DUO_JIRA_STATE_DIR: state, NO_COLOR: '1', DUO_SKEY: VALID_DUO_KEYS.skey },
      extendEnv: false,
    });
  const install = (artifacts: string) =>
    cli(['install', '-d', fake.dir, '-i', VALID_DUO_KEYS.ikey, '-h', VALID_DUO_KEYS.host, '--artifacts', artifacts, '--offline', '--with-addon', '--yes', ...restart]);
  const status = async () => JSON.parse((await fake.get('/status')).body || '{}').state as string | undefined;
  const chain = async () => (await fake.get('/secure/Dashboard.jspa')).headers;
  const webapp = () => join(fake.dir, 'atlassian-jira');

  beforeAll(async () => {
    fake = await createFakeJira();
    state = join(fake.root, 'state');
    // jira-application.properties of the fake points here; Jira creates installed-plugins on its first start.
    home = join(fake.root, 'home');
    await mkdir(join(home, 'plugins', 'installed-plugins'), { recursive: true });
    await fake.start();
    expect(await fake.waitForRunning(60_000)).toBe('RUNNING');
    webappBefore = await snapshot(webapp());
    homeBefore = await snapshot(home);
  });

  afterAll(async () => {
    await fake?.cleanup();
  });

  it('install --with-addon --restart: RUNNING, chain security → duoauth with the configured ikey and host, add-on in Jira home', async () => {
    const r = await install(fake.artifactsDir);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✔ duo-jira install: done/);
    expect(r.stdout).toMatch(/Restarting Jira in .* using Jira's scripts \(bin\/stop-jira\.sh, bin\/start-jira\.sh\)/);
    expect(r.stdout).toMatch(/✔ Jira restarted \(scripts\) and is RUNNING with the new configuration/);
    expect(r.stdout + r.stderr).not.toContain(VALID_DUO_KEYS.skey);

    expect(await status()).toBe('RUNNING');
    const h = await chain();
    expect(h['x-filter-chain']).toBe('security,duoauth');
    expect(h['x-all-filters']).toMatch(/,security,duoauth,mauevent,/);
    expect(h['x-duo-ikey']).toBe(VALID_DUO_KEYS.ikey);
    expect(h['x-duo-host']).toBe(VALID_DUO_KEYS.host);
    expect(h['x-duo-init-params']).toBe('akey,host,ikey,skey');
    expect((await snapshot(home)).has(`plugins/installed-plugins/${DUO_ARTIFACTS.plugin}`)).toBe(true);
  });

  it('disable --restart: duoauth is out of the chain', async () => {
    const r = await cli(['disable', '-d', fake.dir, '--yes', ...restart]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/and is RUNNING with the new configuration/);
    expect(await status()).toBe('RUNNING');
    expect((await chain())['x-filter-chain']).toBe('security');
    expect((await chain())['x-duo-ikey']).toBeUndefined();
  });

  it('enable --restart --json: one document with the restart result; duoauth is back right after security, same keys', async () => {
    const r = await cli(['enable', '-d', fake.dir, '--yes', '--json', ...restart]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'enable', changed: true, restart: { method: 'scripts', state: 'RUNNING', statusUrl: `${fake.baseUrl}/status` } });
    expect(await status()).toBe('RUNNING');
    const h = await chain();
    expect(h['x-filter-chain']).toBe('security,duoauth');
    expect(h['x-duo-ikey']).toBe(VALID_DUO_KEYS.ikey);
  });

  it('uninstall --restart: back to the original chain, web.xml, lib and Jira home byte-identical to the start', async () => {
    const r = await cli(['uninstall', '-d', fake.dir, '--yes', ...restart]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(await status()).toBe('RUNNING');
    expect((await chain())['x-filter-chain']).toBe('security');
    expect(await snapshot(webapp())).toEqual(webappBefore);
    expect(await snapshot(home)).toEqual(homeBefore);
  });

  it('an install whose Duo filter rejects its configuration is undone automatically: exit 5, RUNNING on the original files', async () => {
    const rejecting = await writeRejectingArtifacts(fake);
    const t0 = Date.now();
    const r = await install(rejecting);
    expect(r.exitCode, r.stderr + r.stdout).toBe(5);
    // Loud on stdout while it happens, and the full story on stderr.
    expect(r.stdout).toMatch(/✘ Jira did not come back with the new configuration after duo-jira install\. Undoing the change/);
    expect(r.stderr).toMatch(/Jira did not come back RUNNING with the new configuration after duo-jira install/);
    expect(r.stderr).toMatch(/its web app failed to start/);
    expect(r.stderr).toMatch(/rejecting the configuration for ikey DIWJ8X6AEYOR5OMC6TQ1/); // catalina.out, quoted
    expect(r.stderr).toMatch(/Every file was restored to how it was before duo-jira install/);
    expect(r.stderr).toMatch(/is RUNNING again/);
    expect(r.stderr).toMatch(/fix: The log points at the Duo filter/);
    expect(r.stdout + r.stderr).not.toContain(VALID_DUO_KEYS.skey);
    // Tomcat's "filters failed to start" is detected at once: far less than the 90 s --timeout per restart.
    expect(Date.now() - t0).toBeLessThan(80_000);

    expect(await status()).toBe('RUNNING');
    expect((await chain())['x-filter-chain']).toBe('security');
    expect(await snapshot(webapp())).toEqual(webappBefore);
    expect(await snapshot(home)).toEqual(homeBefore);

    const list = await cli(['rollback', '--list', '--json', '-d', fake.dir]);
    const doc = JSON.parse(list.stdout);
    const last = doc.checkpoints.at(-1);
    const undone = doc.checkpoints.find((c: { id: string }) => c.id === last.undoes);
    expect(last).toMatchObject({ command: 'rollback', status: 'applied', reason: 'Jira did not come back after duo-jira install --restart' });
    expect(undone).toMatchObject({ command: 'install', status: 'undone', undoneBy: last.id });
  });
});
