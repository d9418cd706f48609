// `duo-jira restart` against the real-Tomcat fake Jira: stop + start through bin/*.sh, wait for RUNNING,
// and a Duo filter that cannot start is reported with catalina.out's lines and the way back in.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, restartJira } from '../../src/commands/restart.js';
import type { Ctx } from '../../src/context.js';
import { EXIT, EnvironmentError, exitCodeOf } from '../../src/errors.js';
import { jiraPaths } from '../../src/jira/layout.js';
import { RestartFailedError } from '../../src/service/restart.js';
import { VALID_DUO_KEYS, copyDuoFilterJar, createFakeJira, handInsertDuo, haveTomcat, type FakeJira } from '../support/fake-jira-tomcat.js';

function captureCtx(opts: { tty?: boolean } = {}): Ctx & { out: () => string } {
  let text = '';
  const stdout = { write: (s: string) => void (text += s), isTTY: opts.tty ?? false };
  return {
    cwd: process.cwd(),
    env: {},
    stdout,
    stderr: { write: () => {}, isTTY: false },
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    color: false,
    now: () => new Date(),
    out: () => text,
  };
}

const tomcat = haveTomcat();
if (!tomcat.ok) console.warn(`[skip] restart against real Tomcat: ${tomcat.why}`);

describe.skipIf(!tomcat.ok)('restart against the real-Tomcat fake Jira (scripts method)', { timeout: 120_000 }, () => {
  let fake: FakeJira;
  let noInitDir: string;
  // Hermetic detection: the machine's own /etc/init.d must not influence these tests.
  const probes = () => ({ initDirs: [noInitDir] });
  const pid = async () => (await readFile(fake.pidFile, 'utf8')).trim();

  beforeAll(async () => {
    noInitDir = await mkdtemp(join(tmpdir(), 'duo-jira-noinit-'));
    fake = await createFakeJira();
    await fake.start();
    expect(await fake.waitForRunning(60_000)).toBe('RUNNING');
  });

  afterAll(async () => {
    await fake?.cleanup();
    if (noInitDir) await rm(noInitDir, { recursive: true, force: true });
  });

  it('run --method scripts --json: stops, starts a new JVM, reaches RUNNING, one JSON document', async () => {
    const before = await pid();
    const ctx = captureCtx();
    const code = await run({ jiraDir: fake.dir, method: 'scripts', json: true, timeout: 60 }, ctx);
    expect(code).toBe(EXIT.ok);
    const doc = JSON.parse(ctx.out());
    expect(doc).toMatchObject({
      ok: true,
      command: 'restart',
      jiraDir: fake.dir,
      method: { kind: 'scripts', stop: [join(fake.dir, 'bin', 'stop-jira.sh')], start: [join(fake.dir, 'bin', 'start-jira.sh')] },
      wasRunning: true,
      statusUrl: `${fake.baseUrl}/status`,
      state: 'RUNNING',
    });
    expect(doc.method.why).toMatch(/--method scripts/);
    expect(await pid()).not.toBe(before);
    expect((await fake.get('/x')).headers['x-filter-chain']).toBe('security');
  });

  it('human output (detected method, not a TTY): says which method, no spinner control characters', async () => {
    const ctx = captureCtx();
    expect(await restartJira(jiraPaths(fake.dir), { timeout: 60, probes: probes(), intervalMs: 250 }, ctx)).toMatchObject({
      method: { kind: 'scripts' },
    });
    const out = ctx.out();
    expect(out).toMatch(/^Restarting Jira in .* using Jira's scripts \(bin\/stop-jira\.sh, bin\/start-jira\.sh\)$/m);
    expect(out).toMatch(/why: no systemd unit or init\.d script refers to this install/);
    expect(out).toMatch(/✓ Stopped/);
    expect(out).toMatch(/✓ Jira is RUNNING at http:\/\/127\.0\.0\.1:\d+\/status/);
    expect(out).not.toContain('\x1b');
  });

  it('--no-wait returns once the start script has returned', async () => {
    const ctx = captureCtx();
    const r = await restartJira(jiraPaths(fake.dir), { method: 'scripts', wait: false, json: true }, ctx);
    expect(r.health).toBeUndefined();
    expect(ctx.out()).toBe(''); // --json: progress is silent; run() prints the one document
    expect(await fake.waitForRunning(60_000)).toBe('RUNNING');
  });

  it('a Duo filter that refuses its keys: exit 3 with the last state, the catalina.out lines and rollback/uninstall as the way back', async () => {
    const webXml = join(fake.dir, 'atlassian-jira', 'WEB-INF', 'web.xml');
    const pristine = await readFile(webXml, 'utf8');
    await copyDuoFilterJar(fake);
    await writeFile(webXml, handInsertDuo(pristine, { ...VALID_DUO_KEYS, skey: 'short' }));
    let err: unknown;
    try {
      await restartJira(jiraPaths(fake.dir), { method: 'scripts', timeout: 8, intervalMs: 250 }, captureCtx());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RestartFailedError);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(exitCodeOf(err)).toBe(EXIT.environment);
    const e = err as RestartFailedError;
    // Tomcat logged that the web app failed to start: reported at once, not after the whole --timeout.
    expect(e.message).toMatch(/did not reach RUNNING: its web app failed to start \(Tomcat logged ".*(failed to start|startup failed).*"\), so waiting longer would not help; last seen at .*\/status: HTTP 404/);
    expect(e.message).toMatch(/Exception starting filter \[duoauth\]/);
    expect(e.hint).toMatch(/disable is not enough here.*`duo-jira rollback --restart`.*`duo-jira uninstall --restart`/);
    expect(e.details).toMatchObject({ phase: 'wait', lastState: 'HTTP_404', diagnosis: { duoRelated: true, duoFilterFailed: true } });

    // Put web.xml back (as rollback/uninstall would), and the same command brings Jira back.
    await writeFile(webXml, pristine);
    const ctx = captureCtx();
    expect(await run({ jiraDir: fake.dir, method: 'scripts', timeout: 60 }, ctx)).toBe(EXIT.ok);
    expect(ctx.out()).toMatch(/restarted with scripts .* is RUNNING/);
  });

  it('restarting a Jira that is already stopped still starts it', async () => {
    await fake.stop();
    const r = await restartJira(jiraPaths(fake.dir), { method: 'scripts', timeout: 60, json: true }, captureCtx());
    expect(r.wasRunning).toBe(false);
    expect(r.health?.last.state).toBe('RUNNING');
  });

  it('a non-directory --jira-dir is exit 3 before anything runs', async () => {
    await expect(run({ jiraDir: join(fake.root, 'nope'), method: 'scripts' }, captureCtx())).rejects.toThrow(/is not a directory/);
  });

  it('a bad --timeout is a usage error', async () => {
    await expect(run({ jiraDir: fake.dir, timeout: -1 }, captureCtx())).rejects.toMatchObject({ exitCode: EXIT.usage });
  });
});

// The installer's layout: bin/user.sh names a Jira user. As root, duo-jira must run the scripts as that
// user (runuser), never as root — check the uid of the JVM it started.
const asRoot = process.getuid?.() === 0;
describe.skipIf(!tomcat.ok || !asRoot)('restart as root when bin/user.sh names a Jira user', { timeout: 120_000 }, () => {
  let fake: FakeJira;
  let noInitDir: string;

  beforeAll(async () => {
    noInitDir = await mkdtemp(join(tmpdir(), 'duo-jira-noinit-'));
    fake = await createFakeJira({ jiraUser: 'nobody' });
  });

  afterAll(async () => {
    await fake?.cleanup();
    if (noInitDir) await rm(noInitDir, { recursive: true, force: true });
  });

  it('runs bin/*.sh through runuser -u nobody and the JVM runs as nobody', async () => {
    const ctx = captureCtx();
    const r = await restartJira(jiraPaths(fake.dir), { timeout: 60, probes: { initDirs: [noInitDir] }, intervalMs: 250 }, ctx);
    expect(r.method).toMatchObject({ kind: 'scripts', runAs: 'nobody' });
    expect(r.method.start.slice(1)).toEqual(['-u', 'nobody', '--', join(fake.dir, 'bin', 'start-jira.sh')]);
    expect(r.health?.last.state).toBe('RUNNING');
    expect(ctx.out()).toMatch(/as nobody via runuser/);
    const pid = (await readFile(fake.pidFile, 'utf8')).trim();
    const uid = /^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    expect(uid).toBe('65534');
  });
});
