// The duo-twofactor add-on in $JIRA_HOME/plugins/installed-plugins (built CLI, temp fixture trees): found from
// --jira-home, JIRA_HOME or jira-application.properties; placed in the same transaction as the rest; owned by
// the Jira user; older versions replaced; and install --with-addon + uninstall leaves both trees byte-identical.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, installArgs, KEYS, SAMPLE_RELEASE, snapshotTree, tempJira, type TempJira } from '../support/cli.js';

let t: TempJira;
let server: Server | undefined;
afterEach(async () => {
  t?.cleanup();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});
const skeyEnv = { DUO_SKEY: KEYS.skey };
const ADDON = 'duo-twofactor-1.4.3.jar';
const addonBytes = () => readFileSync(join(SAMPLE_RELEASE, 'etc', ADDON));

/** A temp Jira plus a Jira home with plugins/installed-plugins (what Jira creates on its first start). */
function withHome(fixture = 'jira-7'): { home: string; plugins: string } {
  t = tempJira(fixture);
  const home = join(t.root, 'home');
  const plugins = join(home, 'plugins', 'installed-plugins');
  mkdirSync(plugins, { recursive: true });
  writeFileSync(join(home, 'dbconfig.xml'), '<jira-database-config/>\n');
  return { home, plugins };
}

const appProperties = () => join(t.dir, 'atlassian-jira/WEB-INF/classes/jira-application.properties');

describe('install --with-addon, then uninstall', () => {
  it.each([
    ['--jira-home', (home: string) => ({ args: ['--jira-home', home], env: {} })],
    ['the JIRA_HOME environment variable', (home: string) => ({ args: [], env: { JIRA_HOME: home } })],
    ['jira-application.properties', (home: string) => {
      writeFileSync(appProperties(), `jira.home = ${home}\n`);
      return { args: [], env: {} };
    }],
  ])('Jira home from %s: add-on placed in the same checkpoint, and uninstall leaves Jira home and the install dir byte-identical', async (_how, how) => {
    const { home, plugins } = withHome();
    const { args, env } = how(home);
    const before = snapshotTree(t.dir);
    const homeBefore = snapshotTree(home);

    const r = await cli(t, installArgs(t, ['--with-addon', ...args]), { env: { ...skeyEnv, ...env } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${plugins}: add ${ADDON}`);
    expect(readFileSync(join(plugins, ADDON)).equals(addonBytes())).toBe(true);
    expect(statSync(join(plugins, ADDON)).mode & 0o777).toBe(0o644);
    // Not in WEB-INF/lib: it is a Jira add-on, not a library.
    expect(existsSync(join(t.lib, ADDON))).toBe(false);
    // No "upload it in the UI" step when it was installed.
    expect(r.stdout).not.toMatch(/Upload app/);

    const u = await cli(t, ['uninstall', '-d', t.dir, '--yes', ...args], { env });
    expect(u.exitCode, u.stderr).toBe(0);
    expect(u.stdout).toContain(`${plugins}: remove ${ADDON}`);
    expect(snapshotTree(t.dir)).toEqual(before);
    expect(snapshotTree(home)).toEqual(homeBefore);
  });

  it('the add-on is in the same checkpoint as web.xml and the jars', async () => {
    const { home, plugins } = withHome();
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home, '--json']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.addon).toEqual({ dir: plugins, added: [ADDON], replaced: [], removed: [] });
    expect(doc.files).toContainEqual({ path: join(plugins, ADDON), op: 'add', role: 'addon' });
    const list = JSON.parse((await cli(t, ['rollback', '--list', '--json', '-d', t.dir])).stdout);
    expect(list.checkpoints).toHaveLength(1);
    expect(list.checkpoints[0].files.map((f: { role: string }) => f.role).sort()).toEqual(['addon', 'jar', 'jar', 'jar', 'web.xml']);
  });

  it('replaces older versions (hand-copied and UPM-uploaded), keeps other add-ons, and asks first', async () => {
    const { home, plugins } = withHome();
    writeFileSync(join(plugins, 'duo-twofactor-1.4.2.jar'), 'PK\u0003\u0004old');
    writeFileSync(join(plugins, 'plugin_4711_duo-twofactor-1.3.0.jar'), 'PK\u0003\u0004older');
    writeFileSync(join(plugins, 'plugin_12_other-addon-2.0.jar'), 'PK\u0003\u0004other');
    const noYes = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home]), { env: skeyEnv });
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/needs confirmation/);
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home, '--yes']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(plugins).sort()).toEqual([ADDON, 'plugin_12_other-addon-2.0.jar']);
    expect(r.stdout).toMatch(/add duo-twofactor-1\.4\.3\.jar; remove duo-twofactor-1\.4\.2\.jar, plugin_4711_duo-twofactor-1\.3\.0\.jar/);
  });

  it('the same add-on already in place is left alone', async () => {
    const { home, plugins } = withHome();
    writeFileSync(join(plugins, ADDON), addonBytes());
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home, '--dry-run']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`add-on ${ADDON} is already in ${plugins}`);
    expect(r.stdout).not.toMatch(/Jira add-ons\):/);
  });

  it('--dry-run lists the add-on and changes nothing in either tree', async () => {
    const { home } = withHome();
    const before = snapshotTree(t.dir);
    const homeBefore = snapshotTree(home);
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home, '--dry-run']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/installed-plugins \(Jira add-ons\):\n {2}\+ add {5}duo-twofactor-1\.4\.3\.jar/);
    expect(snapshotTree(t.dir)).toEqual(before);
    expect(snapshotTree(home)).toEqual(homeBefore);
  });

  it('no Jira home: exit 3 saying where it looked and to pass --jira-home; nothing changed', async () => {
    withHome();
    writeFileSync(appProperties(), '# jira.home not set\n');
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t, ['--with-addon']), { env: skeyEnv });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/Cannot install the duo-twofactor add-on: the Jira home was not found: not in the JIRA_HOME environment variable, bin\/setenv\.sh, the systemd unit running this install or jira-application\.properties/);
    expect(r.stderr).toMatch(/fix: Pass the Jira home directory with --jira-home <dir>/);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('a Jira home without plugins/installed-plugins (Jira never started): exit 3; nothing changed', async () => {
    t = tempJira('jira-7');
    const home = join(t.root, 'fresh-home');
    mkdirSync(home);
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home]), { env: skeyEnv });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/installed-plugins does not exist .*Jira creates it the first time it starts/);
    expect(snapshotTree(t.dir)).toEqual(before);
    expect(readdirSync(home)).toEqual([]);
  });

  it('uninstall without a known Jira home still works and says the add-on was not looked for', async () => {
    withHome();
    const gone = join(t.root, 'no-such-home');
    writeFileSync(appProperties(), `jira.home = ${gone}\n`);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const u = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(u.stdout).toContain(`the duo-twofactor add-on was not looked for: the Jira home ${gone} (from jira-application.properties) does not exist`);
    expect(u.stdout).toMatch(/Pass --jira-home <dir>/);
  });

  it('uninstall --keep-addon leaves it', async () => {
    const { home, plugins } = withHome();
    expect((await cli(t, installArgs(t, ['--with-addon', '--jira-home', home]), { env: skeyEnv })).exitCode).toBe(0);
    expect((await cli(t, ['uninstall', '-d', t.dir, '--yes', '--keep-addon', '--jira-home', home])).exitCode).toBe(0);
    expect(existsSync(join(plugins, ADDON))).toBe(true);
  });
});

const asRoot = process.getuid?.() === 0;
describe.skipIf(!asRoot)('add-on ownership (as root)', () => {
  const id = (flag: string, user: string) => Number(execaSync('id', [flag, user]).stdout);

  it('belongs to the Jira user named in bin/user.sh', async () => {
    const { home, plugins } = withHome();
    writeFileSync(join(t.dir, 'bin/user.sh'), 'JIRA_USER="nobody" ##\nexport JIRA_USER\n');
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home]), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('the add-on will be owned by nobody (from bin/user.sh)');
    const st = statSync(join(plugins, ADDON));
    expect([st.uid, st.gid]).toEqual([id('-u', 'nobody'), id('-g', 'nobody')]);
  });

  it('falls back to the owner of installed-plugins when that user does not exist here (and says so)', async () => {
    const { home, plugins } = withHome(); // the fixture's user.sh names "jira"
    chownSync(plugins, id('-u', 'nobody'), id('-g', 'nobody'));
    chmodSync(join(t.root), 0o755);
    const r = await cli(t, installArgs(t, ['--with-addon', '--jira-home', home]), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/bin\/user\.sh names the Jira user "jira", but there is no such user here; the add-on gets the owner of .*installed-plugins/);
    expect(statSync(join(plugins, ADDON)).uid).toBe(id('-u', 'nobody'));
  });
});

describe('duo-jira addon install | uninstall | status', () => {
  it('status → install → status → uninstall, byte-identical at the end, all checkpointed', async () => {
    const { home, plugins } = withHome();
    const homeBefore = snapshotTree(home);
    const base = ['-d', t.dir, '--jira-home', home];

    const s0 = await cli(t, ['addon', 'status', ...base]);
    expect(s0.exitCode, s0.stderr).toBe(0);
    expect(s0.stdout).toContain(`duo-twofactor add-on: not installed in ${plugins}`);

    const i = await cli(t, ['addon', 'install', ...base, '--artifacts', SAMPLE_RELEASE]);
    expect(i.exitCode, i.stderr).toBe(0);
    expect(i.stdout).toMatch(/✔ duo-jira addon install: done/);
    expect(i.stdout).toContain(`${plugins}: add ${ADDON}`);
    expect(i.stdout).toMatch(/Jira does not answer at http:\/\/.*\/status: it loads the add-on change the next time it starts/);

    const s1 = JSON.parse((await cli(t, ['addon', 'status', ...base, '--json', '--artifacts', SAMPLE_RELEASE])).stdout);
    expect(s1).toMatchObject({ jiraHome: home, jiraHomeSource: 'option', pluginsDir: plugins, installed: true, addons: [{ name: ADDON, version: '1.4.3', official: null, matchesRelease: true }] });

    const u = await cli(t, ['addon', 'uninstall', ...base, '--yes']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(snapshotTree(home)).toEqual(homeBefore);
    const list = JSON.parse((await cli(t, ['rollback', '--list', '--json', '-d', t.dir])).stdout);
    expect(list.checkpoints.map((c: { command: string }) => c.command)).toEqual(['addon install', 'addon uninstall']);
  });

  it('addon uninstall and status without a Jira home: exit 3 with the way out', async () => {
    withHome();
    writeFileSync(appProperties(), `jira.home = ${join(t.root, 'no-such-home')}\n`);
    for (const action of ['uninstall', 'status']) {
      const r = await cli(t, ['addon', action, '-d', t.dir, ...(action === 'uninstall' ? ['--yes'] : [])]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/does not exist or is not a directory/);
      expect(r.stderr).toContain('--jira-home');
    }
  });

  it('says loudly that a running Jira needs a restart to load the add-on', async () => {
    const { home } = withHome('jira-8');
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ state: req.url?.endsWith('/status') ? 'RUNNING' : 'UNKNOWN' })); // jira-8 has context path /jira
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const serverXml = join(t.dir, 'conf/server.xml');
    writeFileSync(serverXml, readFileSync(serverXml, 'utf8').replace('port="8080"', `port="${port}"`));
    const r = await cli(t, ['addon', 'install', '-d', t.dir, '--jira-home', home, '--artifacts', SAMPLE_RELEASE]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`warning: Jira is running \\(RUNNING at http://127\\.0\\.0\\.1:${port}/jira/status\\): it only picks up the add-on change when it restarts\\. Restart it: \`duo-jira restart -d ${t.dir}\``));
    const s = await cli(t, ['addon', 'status', '-d', t.dir, '--jira-home', home]);
    expect(s.stdout).toMatch(/Jira is running \(RUNNING at .*\); an add-on change takes effect after a restart/);
  });
});
