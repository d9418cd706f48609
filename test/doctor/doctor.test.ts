// duo-jira doctor, in-process, on temp copies of fixtures/jira-7 taken through the real commands:
// before install, after install, after disable, after uninstall, after a Jira upgrade replaced web.xml.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run as disable } from '../../src/commands/disable.js';
import { run as doctor, type DoctorOptions } from '../../src/commands/doctor.js';
import { run as install } from '../../src/commands/install.js';
import { run as uninstall } from '../../src/commands/uninstall.js';
import { statePaths } from '../../src/fs/state.js';
import { KEYS, makeTree, placeAddon, REPO, SAMPLE_RELEASE, testCtx, type Tree } from './ctx.js';

let t: Tree | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

interface Check { id: string; status: string; finding: string; fix?: string; details?: string[] }
interface Doc { state: string; jiraDir: string; version: string | null; checks: Check[]; summary: Record<string, number> }

async function runDoctor(tree: Tree, opts: Partial<DoctorOptions> = {}) {
  const c = testCtx(tree.env);
  const code = await doctor({ jiraDir: tree.dir, offline: true, jiraHome: tree.home, ...opts }, c.ctx);
  return { code, out: c.out(), err: c.err() };
}

async function runJson(tree: Tree, opts: Partial<DoctorOptions> = {}) {
  const r = await runDoctor(tree, { ...opts, json: true });
  const doc = JSON.parse(r.out) as Doc;
  const byId = (id: string) => {
    const c = doc.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id} in ${doc.checks.map((x) => x.id).join(', ')}`);
    return c;
  };
  return { ...r, doc, byId };
}

async function installDuo(tree: Tree, keys: { ikey: string; skey: string; host: string } = KEYS) {
  const c = testCtx(tree.env);
  const code = await install({ jiraDir: tree.dir, ...keys, artifacts: SAMPLE_RELEASE, offline: true, yes: true }, c.ctx);
  expect(code, c.err() + c.out()).toBe(0);
}

async function akeyOf(tree: Tree): Promise<string> {
  const xml = await fs.readFile(tree.webXml, 'utf8');
  return /<param-name>akey<\/param-name>\s*<param-value>([^<]+)</.exec(xml)![1]!;
}

/** The line a user reads for one check in the human output. */
function line(out: string, title: string): string {
  return out.split('\n').find((l) => l.includes(`  ${title}:`) || l.includes(`  ${title} [`)) ?? '';
}

function expectNoSecrets(text: string, ...secrets: string[]) {
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('doctor through the life of an install', () => {
  it('before install: not installed, exit 0, human and --json', async () => {
    t = await makeTree();
    const h = await runDoctor(t, { offline: false });
    expect(h.code).toBe(0);
    expect(h.out).toContain('Duo state: not installed');
    expect(line(h.out, 'Jira install directory')).toMatch(/^ok\s+Jira install directory: \/tmp\/.*WEB-INF\/web.xml and lib\/ present/);
    expect(line(h.out, 'Jira version')).toMatch(/^ok\s+Jira version: Jira 7\.13\.2 .*supported/);
    expect(line(h.out, 'Duo filter in web.xml')).toMatch(/^skip\s+.*Duo is not installed/);
    expect(h.out).toMatch(/\d+ ok, \d+ warn, 0 fail, \d+ skip/);
    expect(h.out).not.toMatch(/\x1b\[/); // no colors without ctx.color

    const j = await runJson(t, { offline: false });
    expect(j.code).toBe(0);
    expect(j.doc).toMatchObject({ state: 'not-installed', jiraDir: t.dir, version: '7.13.2' });
    expect(j.doc.summary.fail).toBe(0);
    expect(j.byId('jars.present')).toMatchObject({ status: 'ok', finding: expect.stringContaining('none (Duo is not installed)') });
    expect(j.byId('upgrade-drift').status).toBe('ok');
    expect(j.byId('addon').status).toBe('skip');
    // Not installed: nothing to ask Duo about, even online.
    for (const id of ['duo.reach', 'duo.clock', 'duo.keys']) expect(j.byId(id)).toMatchObject({ status: 'skip', finding: 'Duo is not configured in web.xml' });
    expect(j.byId('webxml.duo').fix).toContain(`duo-jira install -d ${t.dir}`);
  });

  it('after install (offline): installed, exit 0, keys shown masked only', async () => {
    t = await makeTree();
    await installDuo(t);
    await placeAddon(t);
    const akey = await akeyOf(t);

    const h = await runDoctor(t);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Duo state: installed');
    expect(line(h.out, 'Duo filter in web.xml')).toMatch(/^ok\s+.*right after security/);
    expect(line(h.out, 'Duo filter settings')).toContain(`ikey ${KEYS.ikey}, skey dead…, akey ${akey.slice(0, 4)}…, host ${KEYS.host}`);
    expect(line(h.out, 'Duo jars in WEB-INF/lib')).toMatch(/^ok\s+.*DuoWeb-1\.3\.jar, duo-client-0\.3\.0\.jar, duo-filter-1\.4\.3\.jar/);
    expect(line(h.out, 'Duo jar builds')).toMatch(/^warn\s+.*not official duo_jira release builds/);
    expect(line(h.out, 'duo-twofactor add-on')).toMatch(/^ok\s+.*duo-twofactor 1\.4\.3 in /);
    expect(line(h.out, 'Duo API reachable')).toMatch(/^skip\s+.*--offline/);
    expectNoSecrets(h.out + h.err, KEYS.skey, akey);

    const j = await runJson(t);
    expect(j.code).toBe(0);
    expect(j.doc.state).toBe('installed');
    expect(j.doc.summary.fail).toBe(0);
    for (const id of ['layout', 'webxml', 'webxml.duo', 'webxml.params', 'jars.present', 'jars.readable', 'upgrade-drift', 'addon', 'journal', 'secrets.backups']) {
      expect(j.byId(id).status, `${id}: ${j.byId(id).finding}`).toBe('ok');
    }
    expect(j.byId('secrets.backups').finding).toMatch(/^1 checkpoint from \d{4}-\d\d-\d\dT.*all 0600$/);
    expectNoSecrets(j.out, KEYS.skey, akey);
  });

  it('after install without the add-on: warns and says how to upload it; unknown when Jira home is unreadable', async () => {
    t = await makeTree();
    await installDuo(t);
    const j = await runJson(t);
    expect(j.code).toBe(0);
    expect(j.byId('addon')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Manage apps → Upload app') });

    const missingHome = await runJson(t, { jiraHome: join(t.root, 'no-such-home') });
    expect(missingHome.byId('jira.home').status).toBe('warn');
    expect(missingHome.byId('addon')).toMatchObject({ status: 'skip', finding: expect.stringMatching(/^unknown: Jira home .* cannot be read/) });
  });

  it('after disable: disabled, with `duo-jira enable` as the fix', async () => {
    t = await makeTree();
    await installDuo(t);
    const c = testCtx(t.env);
    expect(await disable({ jiraDir: t.dir, yes: true }, c.ctx), c.err()).toBe(0);

    const h = await runDoctor(t);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Duo state: disabled');
    expect(line(h.out, 'Duo filter in web.xml')).toMatch(/^warn\s+.*Duo is disabled: .*commented out/);
    expect(h.out).toContain(`fix: duo-jira enable -d ${t.dir}`);

    const j = await runJson(t);
    expect(j.doc.state).toBe('disabled');
    expect(j.byId('webxml.duo')).toMatchObject({ status: 'warn', fix: `duo-jira enable -d ${t.dir}` });
    expect(j.byId('upgrade-drift').status).toBe('ok');
    expect(j.byId('secrets.backups').finding).toMatch(/^2 checkpoints from /);
  });

  it('after uninstall: not installed again, no jars, backups listed with dates', async () => {
    t = await makeTree();
    await installDuo(t);
    const c = testCtx(t.env);
    expect(await uninstall({ jiraDir: t.dir, yes: true }, c.ctx), c.err()).toBe(0);

    const h = await runDoctor(t, { verbose: true });
    expect(h.code).toBe(0);
    expect(h.out).toContain('Duo state: not installed');
    expect(line(h.out, 'Duo jars in WEB-INF/lib')).toMatch(/^ok\s+Duo jars in WEB-INF\/lib.*: none/);
    // --verbose lists each checkpoint with its date and command.
    expect(h.out).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z install \(applied\): .*\d\d-web\.xml 0600/);
    expect(h.out).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z uninstall \(applied\): /);

    const j = await runJson(t);
    expect(j.code).toBe(0);
    expect(j.doc.state).toBe('not-installed');
    expect(j.byId('upgrade-drift').status).toBe('ok');
    expect(j.byId('secrets.backups').details).toHaveLength(2);
  });

  it('after a Jira upgrade replaced web.xml (jars remain): upgrade drift fails, exit 6, fix `duo-jira install`', async () => {
    t = await makeTree();
    await installDuo(t);
    await fs.copyFile(join(REPO, 'fixtures/jira-7/atlassian-jira/WEB-INF/web.xml'), t.webXml);

    const h = await runDoctor(t);
    expect(h.code).toBe(6);
    expect(line(h.out, 'Upgrade drift')).toMatch(/^fail\s+Upgrade drift: Duo jars are in WEB-INF\/lib .* but web\.xml has no duoauth filter.*Jira runs WITHOUT Duo/);
    expect(h.out).toContain(`fix: duo-jira install -d ${t.dir} -i <ikey> -s <skey> -h <host>`);
    expect(h.out).toMatch(/\d+ ok, \d+ warn, 1 fail, \d+ skip/);
    expect(h.out).toContain('Duo state: not installed, but the Duo jars are still there: Jira runs WITHOUT Duo (upgrade drift)');

    const j = await runJson(t);
    expect(j.code).toBe(6);
    expect(j.doc.state).toBe('not-installed');
    expect(j.byId('upgrade-drift')).toMatchObject({ status: 'fail', fix: expect.stringContaining('duo-jira install') });
    expect(j.doc.summary.fail).toBe(1);
  });
});

describe('doctor on broken and risky setups', () => {
  it('duplicated duoauth filter: broken, exit 6, explains what to do', async () => {
    t = await makeTree();
    await fs.copyFile(join(REPO, 'fixtures/webxml/duplicated.web.xml'), t.webXml);
    const h = await runDoctor(t);
    expect(h.code).toBe(6);
    expect(h.out).toContain('Duo state: broken');
    expect(line(h.out, 'web.xml')).toMatch(/^fail\s+web\.xml: web\.xml cannot be used as it is: web\.xml has 2 duoauth filters/);
    expect(h.out).toContain('fix: Remove the extra copies by hand');

    const j = await runJson(t);
    expect(j.doc.state).toBe('broken');
    expect(j.byId('webxml').status).toBe('fail');
    expect(j.byId('webxml.duo').status).toBe('skip');
    // The engine refuses the file, but it still holds a skey anyone can read (the fixture is 0644).
    expect(j.byId('secrets.webxml')).toMatchObject({ status: 'warn', fix: expect.stringContaining(`chmod o-r ${t.webXml}`) });
    expectNoSecrets(j.out + h.out, KEYS.skey);
  });

  it('misplaced duoauth blocks: broken, fix `duo-jira install` (which moves them)', async () => {
    t = await makeTree();
    await installDuo(t);
    await fs.copyFile(join(REPO, 'fixtures/webxml/misplaced.web.xml'), t.webXml);
    const j = await runJson(t);
    expect(j.code).toBe(6);
    expect(j.doc.state).toBe('broken');
    expect(j.byId('webxml.duo')).toMatchObject({
      status: 'fail',
      finding: expect.stringMatching(/not right after the security filter .*; mauevent comes first/),
      fix: expect.stringContaining(`duo-jira install -d ${t.dir} -i DIXXXXXXXXXXXXXXXXXX -s <skey> -h api-deadbeef.duosecurity.com`),
    });
    expect(j.out).not.toContain('deadbeefdeadbeefdeadbeefdeadbeefdeadbeef');
  });

  it('world-readable web.xml holding the skey: warns with the exact chmod; quiet once fixed', async () => {
    t = await makeTree();
    await installDuo(t);
    await fs.chmod(t.webXml, 0o644);
    const h = await runDoctor(t);
    expect(h.code).toBe(0);
    expect(line(h.out, 'Secret key file permissions')).toMatch(/^warn\s+.*web\.xml \(0644\) holds the Duo secret key and is world-readable/);
    expect(h.out).toContain(`fix: chmod o-r ${t.webXml}`);
    expectNoSecrets(h.out, KEYS.skey);

    await fs.chmod(t.webXml, 0o640);
    const j = await runJson(t);
    expect(j.byId('secrets.webxml')).toMatchObject({ status: 'ok' });
  });

  it('a stray web.xml copy holding the skey is flagged too', async () => {
    t = await makeTree();
    await installDuo(t);
    await fs.chmod(t.webXml, 0o640);
    const bak = `${t.webXml}.bak`;
    await fs.copyFile(t.webXml, bak);
    await fs.chmod(bak, 0o644);
    const j = await runJson(t);
    expect(j.byId('secrets.webxml')).toMatchObject({ status: 'warn', fix: `chmod o-r ${bak}` });
  });

  it('backups that are not 0600: warn with chmod 600', async () => {
    t = await makeTree();
    await installDuo(t);
    const [cp] = await fs.readdir(statePaths(t.dir, t.env).checkpoints);
    const files = join(statePaths(t.dir, t.env).checkpoints, cp!, 'files');
    const backup = join(files, (await fs.readdir(files)).find((n) => n.endsWith('-web.xml'))!);
    await fs.chmod(backup, 0o644);
    const j = await runJson(t);
    expect(j.byId('secrets.backups')).toMatchObject({ status: 'warn', fix: `chmod 600 ${backup}` });
  });

  it('an interrupted transaction journal: fail, fixed by duo-jira repair (doctor itself does not)', async () => {
    t = await makeTree();
    await installDuo(t);
    const state = statePaths(t.dir, t.env);
    const [cp] = await fs.readdir(state.checkpoints);
    await fs.writeFile(state.journal, JSON.stringify({ checkpoint: cp, pid: 2 ** 22 + 17, startedAt: '2024-05-01T10:00:00.000Z' }));
    const h = await runDoctor(t);
    expect(h.code).toBe(6);
    expect(line(h.out, 'duo-jira journal')).toMatch(/^fail\s+.*an interrupted install run started 2024-05-01T10:00:00\.000Z left its journal/);
    expect(h.out).toMatch(/fix: duo-jira repair( -d \S+)? restores every file from /);
    // Running doctor (or any read-only command) again does not repair it.
    expect((await runDoctor(t)).code).toBe(6);
  });

  it('not a Jira directory: layout fails, exit 6, the rest skipped', async () => {
    t = await makeTree();
    const j = await runJson(t, { jiraDir: join(t.root, 'nope') });
    expect(j.code).toBe(6);
    expect(j.byId('layout')).toMatchObject({ status: 'fail', finding: expect.stringContaining('does not exist') });
    expect(j.byId('webxml').status).toBe('skip');
    expect(j.doc.version).toBeNull();
  });

  it('colors only when ctx.color is set', async () => {
    t = await makeTree();
    const c = testCtx(t.env, { color: true });
    await doctor({ jiraDir: t.dir, offline: true, jiraHome: t.home }, c.ctx);
    expect(c.out()).toMatch(/\x1b\[32mok/);
  });
});
