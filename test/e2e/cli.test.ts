// The built CLI, run as a subprocess against temp copies of the fixture Jira trees.
import { chmodSync, readFileSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, installArgs, KEYS, snapshotTree, tempJira, type TempJira } from '../support/cli.js';

let t: TempJira;
afterEach(() => t?.cleanup());
const skeyEnv = { DUO_SKEY: KEYS.skey };

/**
 * Install, then recreate what a kill -9 between two writes leaves: the journal of the install's checkpoint
 * and a tree that is half new (jars in, web.xml mangled). Returns the tree as it was before the install.
 */
async function interruptedInstall(): Promise<Map<string, string>> {
  t = tempJira('jira-7');
  const original = snapshotTree(t.dir);
  expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
  const sd = join(t.state, readdirSync(t.state)[0]!);
  const [cp] = readdirSync(join(sd, 'checkpoints'));
  writeFileSync(join(sd, 'journal.json'), JSON.stringify({ checkpoint: cp, pid: 999999, startedAt: 'then' }));
  writeFileSync(t.webXml, '<web-app>half written');
  return original;
}

describe('duo-jira install / uninstall (built CLI)', () => {
  it('installs, reports, and uninstall restores the tree byte for byte', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('duo-jira install: done');
    expect(r.stdout).toMatch(/backup: .*checkpoints/);
    expect(r.stdout).toContain('Restart Jira');
    const xml = readFileSync(t.webXml, 'utf8');
    expect(xml).toMatch(/<filter-name>security<\/filter-name>\s*<filter-class>[^<]+<\/filter-class>\s*<\/filter>\s*<filter>\s*<filter-name>duoauth<\/filter-name>/);
    expect(readdirSync(t.lib).filter((n) => /^(DuoWeb|duo-client|duo-filter)-/.test(n)).sort()).toEqual(['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar']);
    expect(existsSync(join(t.lib, 'duo-twofactor-1.4.3.jar'))).toBe(false);
    // The skey is in web.xml (the filter needs it) but never in what we print.
    expect(xml).toContain(KEYS.skey);
    expect(r.stdout + r.stderr).not.toContain(KEYS.skey);

    const u = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('dry-run prints a masked diff and changes nothing', async () => {
    t = tempJira('jira-6');
    const before = snapshotTree(t.dir);
    for (const args of [[...installArgs(t), '--dry-run'], ['dry-run', ...installArgs(t).slice(1)]]) {
      const r = await cli(t, args, { env: skeyEnv });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('+        <filter-name>duoauth</filter-name>');
      expect(r.stdout).toContain('<param-value>dead…</param-value>');
      expect(r.stdout).not.toContain(KEYS.skey);
      expect(r.stdout).toContain('+ add     duo-filter-1.4.3.jar');
      expect(snapshotTree(t.dir)).toEqual(before);
      expect(existsSync(t.state)).toBe(false);
    }
  });

  it('--json gives one document with files, backups and jars', async () => {
    t = tempJira('jira-8');
    const r = await cli(t, [...installArgs(t), '--json'], { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ action: 'install', changed: true, dryRun: false, jars: { added: ['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar'], removed: [] } });
    expect(doc.files.map((f: { op: string }) => f.op)).toEqual(['add', 'add', 'add', 'modify']);
    expect(doc.backups).toHaveLength(1);
    expect(statSync(doc.backups[0]).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(doc)).not.toContain(KEYS.skey);
  });

  it('re-running with the same values changes nothing; new values need --yes without a TTY', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const installed = snapshotTree(t.dir);
    const again = await cli(t, installArgs(t, ['--yes']), { env: skeyEnv });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(snapshotTree(t.dir)).toEqual(installed);

    const newHost = await cli(t, installArgs(t).map((a) => (a === KEYS.host ? 'api-87654321.duosecurity.com' : a)), { env: skeyEnv });
    expect(newHost.exitCode).toBe(2);
    expect(newHost.stderr).toMatch(/needs confirmation.*--yes/s);
    expect(snapshotTree(t.dir)).toEqual(installed);
    const yes = await cli(t, [...installArgs(t).map((a) => (a === KEYS.host ? 'api-87654321.duosecurity.com' : a)), '--yes'], { env: skeyEnv });
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('update duoauth init-params host');
    expect(readFileSync(t.webXml, 'utf8')).toContain('<param-value>api-87654321.duosecurity.com</param-value>');
  });

  it('keeps the mode of a restricted web.xml', async () => {
    t = tempJira('jira-7');
    chmodSync(t.webXml, 0o640);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    expect(statSync(t.webXml).mode & 0o777).toBe(0o640);
  });

  it.each([
    ['a 19-char ikey', (a: string[]) => a.map((x) => (x === KEYS.ikey ? KEYS.ikey.slice(1) : x)), 2, /exactly 20 characters \(got 19\)/],
    ['a 39-char skey', (a: string[]) => a, 2, /exactly 40 characters \(got 39\)/, { DUO_SKEY: KEYS.skey.slice(1) }],
    ['a host with a scheme', (a: string[]) => a.map((x) => (x === KEYS.host ? `https://${KEYS.host}` : x)), 2, /without "https:\/\/"/],
    ['no Jira at -d', (a: string[]) => a.map((x, i) => (a[i - 1] === '-d' ? '/nonexistent/jira' : x)), 3, /does not exist/],
    ['a missing release', (a: string[]) => a.map((x, i) => (a[i - 1] === '--artifacts' ? '/nonexistent/rel' : x)), 3, /does not exist/],
  ])('%s exits with a clear message and changes nothing', async (_n, edit, code, msg, env = skeyEnv) => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    const r = await cli(t, edit(installArgs(t)), { env });
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain('fix:');
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('malformed web.xml exits 4 and is not touched', async () => {
    t = tempJira('jira-7');
    writeFileSync(t.webXml, readFileSync(t.webXml, 'utf8').replace('</filter-mapping>', '</filter-mappin>'));
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t), { env: skeyEnv });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/not well-formed/);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('reads the skey from stdin with -s -', async () => {
    t = tempJira('jira-7');
    const r = await cli(t, installArgs(t, ['-s', '-']), { input: `${KEYS.skey}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(t.webXml, 'utf8')).toContain(KEYS.skey);
    expect(r.stderr).not.toContain('shell history');
  });

  it('a skey given with -s works but warns about shell history', async () => {
    t = tempJira('jira-7');
    const r = await cli(t, installArgs(t, ['-s', KEYS.skey]));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('shell history');
    expect(r.stdout + r.stderr).not.toContain(KEYS.skey);
  });

  it('an akey given with --akey works but warns about shell history, and is never printed', async () => {
    t = tempJira('jira-7');
    const akey = 'A'.repeat(20) + 'b'.repeat(20) + 'C'.repeat(4);
    const r = await cli(t, installArgs(t, ['--akey', akey]), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(t.webXml, 'utf8')).toContain(akey);
    expect(r.stderr).toMatch(/hint: an application key given with --akey stays in your shell history/);
    expect(r.stdout + r.stderr).not.toContain(akey);
  });

  it('replaces older Duo jars of exactly the three families and nothing else', async () => {
    t = tempJira('jira-7');
    for (const n of ['duo-filter-1.3.7.jar', 'duo-client-0.2.1.jar', 'duo-something-else-1.0.jar']) writeFileSync(join(t.lib, n), 'PK\u0003\u0004old');
    const r = await cli(t, installArgs(t, ['--yes']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    const lib = readdirSync(t.lib);
    expect(lib).not.toContain('duo-filter-1.3.7.jar');
    expect(lib).not.toContain('duo-client-0.2.1.jar');
    expect(lib).toContain('duo-something-else-1.0.jar');
    expect(r.stdout).toMatch(/remove duo-client-0\.2\.1\.jar, duo-filter-1\.3\.7\.jar|remove duo-filter-1\.3\.7\.jar, duo-client-0\.2\.1\.jar/);
  });

  it('disable / enable round-trip, and uninstall after disable restores the original', async () => {
    t = tempJira('jira-7');
    const original = readFileSync(t.webXml);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const installed = readFileSync(t.webXml);
    const d = await cli(t, ['disable', '-d', t.dir, '--yes']);
    expect(d.exitCode, d.stderr).toBe(0);
    expect(readFileSync(t.webXml, 'utf8')).toContain('<!-- duo-jira disabled: <filter-mapping>');
    expect((await cli(t, ['disable', '-d', t.dir, '--yes'])).stdout).toContain('nothing to do');
    expect((await cli(t, ['enable', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect(readFileSync(t.webXml).equals(installed)).toBe(true);
    expect((await cli(t, ['disable', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect((await cli(t, ['uninstall', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect(readFileSync(t.webXml).equals(original)).toBe(true);
  });

  it('a stale lock from a dead run is taken over', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const [stateDir] = readdirSync(t.state);
    writeFileSync(join(t.state, stateDir!, 'lock'), JSON.stringify({ pid: 999999, host: hostname(), startedAt: 'then', command: 'install' }));
    const u = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(u.exitCode, u.stderr).toBe(0);
  });

  it('a live lock stops a second run with exit 3 naming the holder', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const [stateDir] = readdirSync(t.state);
    writeFileSync(join(t.state, stateDir!, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now', command: 'install' }));
    const u = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(u.exitCode).toBe(3);
    expect(u.stderr).toContain(`pid ${process.pid}`);
  });

  it('the next run repairs a run that was killed mid-way (journal left behind)', async () => {
    const original = await interruptedInstall();
    const sd = join(t.state, readdirSync(t.state)[0]!);
    const r = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/repaired an interrupted install run/);
    expect(r.stdout).toContain('nothing to do');
    expect(snapshotTree(t.dir)).toEqual(original);
    expect(existsSync(join(sd, 'journal.json'))).toBe(false);
  });

  it('a journal whose checkpoint manifest is gone: the next run says nothing could be restored (never "restored every file")', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const [stateDir] = readdirSync(t.state);
    const sd = join(t.state, stateDir!);
    writeFileSync(join(sd, 'journal.json'), JSON.stringify({ checkpoint: '20250101T000000Z-gone00', pid: 999999, startedAt: 'then' }));
    const r = await cli(t, ['disable', '-d', t.dir, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/restored every file/);
    expect(r.stdout).toMatch(/warning: an interrupted duo-jira run left its journal, but its checkpoint .*gone00 has no readable manifest, so nothing could be restored/);
  });
});

describe('options that would silently unprotect Jira are refused', () => {
  it.each([[''], ['/'], ['/rest/ /']])('--unprotected-dirs %j exits 2', async (dirs) => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t, ['--unprotected-dirs', dirs]), { env: skeyEnv });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/every page/);
    expect(snapshotTree(t.dir)).toEqual(before);
  });
});

describe('review follow-ups', () => {
  it('a symlinked web.xml stays a symlink; the file it points to is edited and restored', async () => {
    t = tempJira('jira-7');
    const { symlinkSync, renameSync, lstatSync } = await import('node:fs');
    const real = join(t.root, 'web.xml.real');
    renameSync(t.webXml, real);
    symlinkSync(real, t.webXml);
    const original = readFileSync(real);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    expect(lstatSync(t.webXml).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('<filter-name>duoauth</filter-name>');
    expect((await cli(t, ['uninstall', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect(lstatSync(t.webXml).isSymbolicLink()).toBe(true);
    expect(readFileSync(real).equals(original)).toBe(true);
  });

  it('a key pasted as -h is not echoed back', async () => {
    t = tempJira('jira-7');
    const r = await cli(t, installArgs(t).map((a) => (a === KEYS.host ? KEYS.skey : a)), { env: skeyEnv });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toContain(KEYS.skey);
    expect(r.stderr).toContain('looks like a key');
  });

  it('the install dir and a symlink to it share one lock and one history', async () => {
    t = tempJira('jira-7');
    const { symlinkSync } = await import('node:fs');
    const link = join(t.root, 'current');
    symlinkSync(t.dir, link);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const r = await cli(t, ['rollback', '-d', link, '--list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/install/);
    expect(readdirSync(t.state)).toHaveLength(1);
  });
});

describe('repair', () => {
  it('a dry-run refuses to plan against half-changed files and names the repair', async () => {
    const original = await interruptedInstall();
    const before = snapshotTree(t.dir);
    const r = await cli(t, [...installArgs(t), '--dry-run'], { env: skeyEnv });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/interrupted.*half-changed/s);
    expect(r.stderr).toContain(`duo-jira repair -d ${t.dir}`);
    expect(snapshotTree(t.dir)).toEqual(before);
    const rep = await cli(t, ['repair', '-d', t.dir]);
    expect(rep.exitCode, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/repaired an interrupted install run: restored every file/);
    expect(snapshotTree(t.dir)).toEqual(original);
    const again = await cli(t, ['repair', '-d', t.dir, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ action: 'repair', repaired: false });
    expect((await cli(t, [...installArgs(t), '--dry-run'], { env: skeyEnv })).exitCode).toBe(0);
  });
});
