// duo-jira rollback (built CLI, temp fixture trees): undo the newest applied change — or a listed one — from
// its checkpoint as a journaled transaction of its own, refusing when a file changed since; and the automatic
// undo when Jira does not come back after --restart (here with scripted start/stop, no Tomcat needed).
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, cli, installArgs, KEYS, snapshotTree, tempJira, type TempJira } from '../support/cli.js';

let t: TempJira;
let server: Server | undefined;
afterEach(async () => {
  t?.cleanup();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});
const skeyEnv = { DUO_SKEY: KEYS.skey };

interface ListedCheckpoint { id: string; command: string; status: string; undoes?: string; undoneBy?: string; reason?: string; files: Array<{ path: string; role: string; op: string }> }
async function listed(): Promise<{ next: string | null; checkpoints: ListedCheckpoint[] }> {
  const r = await cli(t, ['rollback', '--list', '--json', '-d', t.dir]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('duo-jira rollback', () => {
  it('undoes the last install byte for byte; the undo is itself a checkpoint; then there is nothing left to undo', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);

    const r = await cli(t, ['rollback', '-d', t.dir, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ duo-jira rollback: done/);
    expect(r.stdout).toMatch(/undo install of .* \(checkpoint \d{8}T\d{6}Z-[0-9a-f]{6}\)/);
    expect(r.stdout).toMatch(/WEB-INF\/lib: remove duo-filter-1\.4\.3\.jar, duo-client-0\.3\.0\.jar, DuoWeb-1\.3\.jar/);
    expect(r.stdout + r.stderr).not.toContain(KEYS.skey);
    expect(snapshotTree(t.dir)).toEqual(before);

    const l = await listed();
    expect(l.checkpoints.map((c) => [c.command, c.status])).toEqual([['install', 'undone'], ['rollback', 'applied']]);
    expect(l.checkpoints[1]!.undoes).toBe(l.checkpoints[0]!.id);
    expect(l.checkpoints[0]!.undoneBy).toBe(l.checkpoints[1]!.id);
    expect(l.next).toBeNull();

    const again = await cli(t, ['rollback', '-d', t.dir, '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/nothing to undo — every recorded change .* is already undone/);
  });

  it('walks back through history: disable, then install', async () => {
    t = tempJira('jira-8');
    const original = readFileSync(t.webXml);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const installed = readFileSync(t.webXml);
    expect((await cli(t, ['disable', '-d', t.dir, '--yes'])).exitCode).toBe(0);

    expect((await cli(t, ['rollback', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect(readFileSync(t.webXml).equals(installed)).toBe(true);
    expect((await cli(t, ['rollback', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    expect(readFileSync(t.webXml).equals(original)).toBe(true);
    expect(readdirSync(t.lib).filter((n) => /duo/i.test(n))).toEqual([]);
  });

  it('is not uninstall: over an earlier Duo setup it brings that setup back (old keys, old jar)', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    writeFileSync(join(t.lib, 'duo-filter-1.3.7.jar'), 'PK\u0003\u0004old');
    const firstXml = readFileSync(t.webXml);
    const first = snapshotTree(t.dir);
    const newHost = installArgs(t, ['--yes']).map((a) => (a === KEYS.host ? 'api-87654321.duosecurity.com' : a));
    expect((await cli(t, newHost, { env: skeyEnv })).exitCode).toBe(0);
    expect(existsSync(join(t.lib, 'duo-filter-1.3.7.jar'))).toBe(false);

    const r = await cli(t, ['rollback', '-d', t.dir, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('put back duo-filter-1.3.7.jar');
    expect(readFileSync(t.webXml).equals(firstXml)).toBe(true);
    expect(snapshotTree(t.dir)).toEqual(first);
  });

  it('refuses (exit 3, naming the file) when a file changed since that change, and changes nothing', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    writeFileSync(t.webXml, readFileSync(t.webXml, 'utf8').replace('<web-app', '<!-- edited by hand -->\n<web-app'));
    const edited = snapshotTree(t.dir);
    const r = await cli(t, ['rollback', '-d', t.dir, '--yes']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${t.webXml} changed since that change wrote it (its content differs)`);
    expect(r.stderr).toMatch(/Nothing was changed/);
    expect(r.stderr).toMatch(/fix: Something other than duo-jira edited it\. .*the content it had before is in .*checkpoints\/.*web\.xml/);
    expect(snapshotTree(t.dir)).toEqual(edited);
    expect((await listed()).checkpoints.map((c) => c.status)).toEqual(['applied']);
  });

  it('--checkpoint of an older change that a later one overwrote: exit 3 pointing at the later change', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    expect((await cli(t, ['disable', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    const [install, disable] = (await listed()).checkpoints;
    const r = await cli(t, ['rollback', '-d', t.dir, '--yes', '--checkpoint', install!.id]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`It was changed by a later \`duo-jira disable\` (checkpoint ${disable!.id})`);
  });

  it('undoing an undo re-applies the change, and the change counts as applied again', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const installed = snapshotTree(t.dir);
    expect((await cli(t, ['rollback', '-d', t.dir, '--yes'])).exitCode).toBe(0);
    const undo = (await listed()).checkpoints[1]!;
    const r = await cli(t, ['rollback', '-d', t.dir, '--yes', '--checkpoint', undo.id.slice(0, -1)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(snapshotTree(t.dir)).toEqual(installed);
    const l = await listed();
    expect(l.checkpoints.map((c) => [c.command, c.status])).toEqual([['install', 'applied'], ['rollback', 'undone'], ['rollback', 'applied']]);
    expect(l.next).toBe(l.checkpoints[0]!.id);
    // An undone checkpoint cannot be undone twice.
    const twice = await cli(t, ['rollback', '-d', t.dir, '--yes', '--checkpoint', undo.id]);
    expect(twice.exitCode).toBe(3);
    expect(twice.stderr).toMatch(/cannot be undone: it was already undone by/);
  });

  it('--dry-run shows the diff and the jars and changes nothing; without a TTY it needs --yes', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const installed = snapshotTree(t.dir);
    const d = await cli(t, ['rollback', '-d', t.dir, '--dry-run']);
    expect(d.exitCode, d.stderr).toBe(0);
    expect(d.stdout).toContain('-        <filter-name>duoauth</filter-name>');
    expect(d.stdout).toContain('<param-value>dead…</param-value>');
    expect(d.stdout).not.toContain(KEYS.skey);
    expect(d.stdout).toContain('  - remove  duo-filter-1.4.3.jar');
    const n = await cli(t, ['rollback', '-d', t.dir]);
    expect(n.exitCode).toBe(2);
    expect(n.stderr).toMatch(/needs confirmation.*--yes/s);
    expect(snapshotTree(t.dir)).toEqual(installed);
  });

  it('--list: id, date, command, status and files, and which one plain rollback undoes', async () => {
    t = tempJira('jira-7');
    const none = await cli(t, ['rollback', '--list', '-d', t.dir]);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toMatch(/No checkpoints for/);
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const r = await cli(t, ['rollback', '--list', '-d', t.dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ID +DATE +COMMAND +STATUS +FILES$/m);
    expect(r.stdout).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6} +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +install +applied +\+DuoWeb-1\.3\.jar, \+duo-client-0\.3\.0\.jar, \+duo-filter-1\.4\.3\.jar, ~atlassian-jira\/WEB-INF\/web\.xml ← next `duo-jira rollback` undoes this$/m);
  });

  it('a change made with a relative -d is undone from another working directory (the checkpoint records absolute paths)', async () => {
    t = tempJira('jira-7');
    const before = snapshotTree(t.dir);
    // cli() runs in t.root, the parent of t.dir: `-d jira` is relative.
    const rel = installArgs(t).map((a) => (a === t.dir ? 'jira' : a));
    expect((await cli(t, rel, { env: skeyEnv })).exitCode).toBe(0);
    const r = await execa('node', [BIN, 'rollback', '-d', t.dir, '--yes'], { reject: false, cwd: t.dir, env: { DUO_JIRA_STATE_DIR: t.state, NO_COLOR: '1' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('an unknown --checkpoint is exit 3 listing the known ones', async () => {
    t = tempJira('jira-7');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const r = await cli(t, ['rollback', '-d', t.dir, '--yes', '--checkpoint', 'nope']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/No checkpoint nope\. Known checkpoints: \d{8}T/);
  });
});

/** Fixture tree whose bin/*.sh are scripted, and whose server.xml points at a port of our choosing. */
async function scriptedJira(start: string, stop = 'exit 0'): Promise<number> {
  t = tempJira('jira-7');
  // Run the scripts as whoever runs the test (the fixture's user.sh names a "jira" user).
  writeFileSync(join(t.dir, 'bin', 'user.sh'), 'JIRA_USER="" ##\nexport JIRA_USER\n');
  for (const [name, body] of [['start-jira.sh', start], ['stop-jira.sh', stop]]) {
    writeFileSync(join(t.dir, 'bin', name!), `#!/bin/sh\n${body}\n`);
    chmodSync(join(t.dir, 'bin', name!), 0o755);
  }
  const port = await freePort();
  const serverXml = join(t.dir, 'conf/server.xml');
  writeFileSync(serverXml, readFileSync(serverXml, 'utf8').replace('port="8080"', `port="${port}"`));
  return port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('automatic undo when --restart fails (scripted Jira)', () => {
  it('Jira cannot start at all, even with the restored files: exit 5 saying the files are restored and Jira is not running', async () => {
    await scriptedJira('echo "JAVA_HOME is not set" >&2; exit 1');
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t, ['--restart', '--method', 'scripts', '--timeout', '5']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stdout).toMatch(/✘ Jira did not come back with the new configuration after duo-jira install\. Undoing the change/);
    expect(r.stderr).toMatch(/start-jira\.sh` exited with 1; Jira is stopped\.\n.*JAVA_HOME is not set/s);
    expect(r.stderr).toMatch(/Every file was restored to how it was before duo-jira install \(from checkpoint .*checkpoints\/\S+; the undo itself is checkpoint .*\)/);
    expect(r.stderr).toMatch(/Restarting Jira with the restored files failed too/);
    expect(r.stderr).toMatch(/The files are in their previous state \(restored\); Jira is NOT running\./);
    expect(r.stderr).toMatch(/fix: The problem is not \(only\) the Duo change: start Jira once it is fixed .* re-applied with `duo-jira rollback --checkpoint \S+`/);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('Jira does not stop: the files are restored and Jira is not restarted again (exit 5)', async () => {
    const port = await scriptedJira('exit 0');
    // Something keeps answering on Jira's port, as a Jira that ignores stop-jira.sh would.
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const before = snapshotTree(t.dir);
    const r = await cli(t, installArgs(t, ['--restart', '--method', 'scripts', '--timeout', '2']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/Jira did not stop after duo-jira install, so it never ran with the new configuration/);
    expect(r.stderr).toMatch(/port \d+ still answers/);
    expect(r.stderr).toMatch(/Jira was not restarted again/);
    expect(r.stdout).not.toMatch(/Restarting Jira with the restored files/);
    expect(snapshotTree(t.dir)).toEqual(before);
  });

  it('no way to restart this Jira: install --restart is exit 3 before anything is written; --dry-run says the same', async () => {
    t = tempJira('jira-7'); // no bin/start-jira.sh, no unit, no init script
    const before = snapshotTree(t.dir);
    for (const extra of [[], ['--dry-run']]) {
      const r = await cli(t, installArgs(t, ['--restart', '--method', 'scripts', ...extra]), { env: skeyEnv });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/--restart: --method scripts found nothing to restart Jira at .* with\. Looked for: .*stop-jira\.sh and .*start-jira\.sh \(missing or not executable\)\. Nothing was changed\./);
      expect(snapshotTree(t.dir)).toEqual(before);
    }
    expect((await listed()).checkpoints).toEqual([]);
  });

  it('--dry-run --restart says it would restart, how, and that a failure would be undone', async () => {
    await scriptedJira('exit 0');
    const r = await cli(t, installArgs(t, ['--restart', '--method', 'scripts', '--timeout', '120', '--dry-run']), { env: skeyEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--restart: would then restart Jira with Jira's scripts \(bin\/stop-jira\.sh, bin\/start-jira\.sh\) and wait up to 120s for RUNNING at http:\/\/127\.0\.0\.1:\d+\/status; if Jira does not come back, the change would be undone and Jira restarted again/);
  });

  it('nothing to change: --restart does not restart', async () => {
    await scriptedJira('exit 1');
    expect((await cli(t, installArgs(t), { env: skeyEnv })).exitCode).toBe(0);
    const r = await cli(t, ['enable', '-d', t.dir, '--yes', '--restart', '--method', 'scripts']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing changed, so Jira was not restarted/);
  });
});

describe('duo-jira restart (built CLI)', () => {
  it('on a tree without any way to run Jira: exit 3 saying what it looked for', async () => {
    t = tempJira('jira-7');
    const r = await cli(t, ['restart', '-d', t.dir]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/Found no way to restart Jira at .*\/jira\. Looked for: .*systemd.*; init scripts \/etc\/init\.d\/jira\* .*; .*bin\/stop-jira\.sh and .*bin\/start-jira\.sh \(missing or not executable\)\./);
    expect(r.stderr).toMatch(/fix: Check --jira-dir, pass --method systemd\|initd\|scripts, or restart Jira yourself/);
  });
});
