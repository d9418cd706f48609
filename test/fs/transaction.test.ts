// The one module that changes files in a Jira installation, tested on real temp trees (no fs mocks):
// broken at every step → every file back byte-for-byte; killed at every step (a real SIGKILL'd child
// process) → the next run's recoverInterrupted puts every file back; a precondition that no longer holds →
// nothing written at all; modes and owners kept.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/artifacts.js';
import { EXIT, EnvironmentError, RolledBackError } from '../../src/errors.js';
import type { Ownership } from '../../src/fs/atomic.js';
import { statePaths, type StatePaths } from '../../src/fs/state.js';
import {
  applyActions,
  hasInterrupted,
  listCheckpoints,
  recoverInterrupted,
  restoreCheckpoint,
  type Action,
} from '../../src/fs/transaction.js';
import { makeTree, removeTree, snapshot, tempDir, withTempDir, type FileState } from '../support/tree.js';

const NOW = new Date('2025-03-04T05:06:07.890Z');
const ME = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const isRoot = process.getuid?.() === 0;

const WEBXML_OLD = '<?xml version="1.0"?>\n<web-app>\n  <filter><filter-name>security</filter-name></filter>\n</web-app>\n';
const WEBXML_NEW = WEBXML_OLD.replace('</web-app>', '  <filter><filter-name>duoauth</filter-name><init-param><param-value>SKEYSKEYSKEY</param-value></init-param></filter>\n</web-app>');

interface Fixture {
  jira: string;
  state: StatePaths;
  actions: Action[];
  before: Map<string, FileState>;
}

/** A Jira-shaped tree and a plan of 4 actions: rewrite web.xml, add a jar, replace a jar, remove a jar. */
async function fixture(opts: { like?: Ownership } = {}): Promise<Fixture> {
  const root = await withTempDir();
  const jira = await makeTree(
    {
      'atlassian-jira/WEB-INF/web.xml': { content: WEBXML_OLD, mode: 0o640 },
      'atlassian-jira/WEB-INF/lib/duo-client-0.3.0.jar': { content: 'PK\x03\x04 old client build', mode: 0o644 },
      'atlassian-jira/WEB-INF/lib/duo-filter-1.3.7.jar': { content: 'PK\x03\x04 old filter', mode: 0o604 },
      'atlassian-jira/WEB-INF/lib/jira-core.jar': { content: 'PK\x03\x04 unrelated', mode: 0o644 },
      'bin/start-jira.sh': { content: '#!/bin/sh\n', mode: 0o755 },
    },
    join(root, 'jira'),
  );
  const state = statePaths(jira, { DUO_JIRA_STATE_DIR: join(root, 'state') });
  const webXml = join(jira, 'atlassian-jira/WEB-INF/web.xml');
  const lib = join(jira, 'atlassian-jira/WEB-INF/lib');
  const hash = async (p: string) => sha256(await fs.readFile(p));
  const actions: Action[] = [
    { kind: 'write', path: webXml, content: Buffer.from(WEBXML_NEW), expect: { sha256: await hash(webXml) }, role: 'web.xml' },
    { kind: 'write', path: join(lib, 'DuoWeb-1.3.jar'), content: Buffer.from('PK\x03\x04 new DuoWeb'), expect: 'absent', like: opts.like ?? { mode: 0o640, ...ME }, role: 'jar' },
    { kind: 'write', path: join(lib, 'duo-client-0.3.0.jar'), content: Buffer.from('PK\x03\x04 official client'), expect: { sha256: await hash(join(lib, 'duo-client-0.3.0.jar')) }, role: 'jar' },
    { kind: 'remove', path: join(lib, 'duo-filter-1.3.7.jar'), expect: { sha256: await hash(join(lib, 'duo-filter-1.3.7.jar')) }, role: 'jar' },
  ];
  return { jira, state, actions, before: await snapshot(jira) };
}

const opts = (f: Fixture, extra: { afterAction?: (i: number, a: Action) => void | Promise<void>; now?: Date } = {}) => ({
  state: f.state,
  command: 'install',
  jiraDir: f.jira,
  now: extra.now ?? NOW,
  afterAction: extra.afterAction,
});

const exists = (p: string) => fs.access(p).then(() => true, () => false);
const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o7777;

/** Files in the checkpoint's files/ folder, with their modes. */
async function backupsOf(dir: string): Promise<Array<{ name: string; mode: number }>> {
  const names = (await fs.readdir(join(dir, 'files'))).sort();
  return Promise.all(names.map(async (name) => ({ name, mode: await modeOf(join(dir, 'files', name)) })));
}

async function expectNothingWritten(f: Fixture): Promise<void> {
  expect(await snapshot(f.jira)).toEqual(f.before);
  expect(await listCheckpoints(f.state)).toEqual([]);
  expect(await exists(f.state.checkpoints)).toBe(false);
  expect(await exists(f.state.journal)).toBe(false);
}

/** What the tree looks like after actions[0..k] were applied (and nothing else). */
function expectedAfter(f: Fixture, k: number): Map<string, FileState> {
  const m = new Map(f.before);
  for (const a of f.actions.slice(0, k + 1)) {
    const rel = a.path.slice(f.jira.length + 1);
    if (a.kind === 'remove') m.delete(rel);
    else m.set(rel, { sha256: sha256(a.content), mode: f.before.get(rel)?.mode ?? a.like?.mode ?? 0o644 });
  }
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('applyActions: success', () => {
  it('applies every action atomically, keeps modes, leaves 0600 backups and an "applied" manifest, no journal', async () => {
    const f = await fixture();
    const r = await applyActions(f.actions, opts(f));

    expect(await snapshot(f.jira)).toEqual(expectedAfter(f, f.actions.length - 1));
    const [webXml, added, replaced, removed] = f.actions.map((a) => a.path) as [string, string, string, string];
    expect(await fs.readFile(webXml, 'utf8')).toBe(WEBXML_NEW);
    expect(await modeOf(webXml)).toBe(0o640); // existing file: its own mode, not a default
    expect(await modeOf(added)).toBe(0o640); // new file: the `like` mode
    expect(await modeOf(replaced)).toBe(0o644);
    expect(await exists(removed)).toBe(false);

    expect(await exists(f.state.journal)).toBe(false);
    expect(await hasInterrupted(f.state)).toBe(false);
    expect(r.checkpoint.startsWith(f.state.checkpoints + '/')).toBe(true);
    expect(r.checkpoint).toMatch(/\/20250304T050607Z-[0-9a-f]{6}$/);
    // One backup per file that existed (web.xml, the replaced and the removed jar), holding its old bytes.
    expect(r.backups).toHaveLength(3);
    for (const b of r.backups) expect(await modeOf(b)).toBe(0o600);
    expect((await Promise.all(r.backups.map((b) => fs.readFile(b, 'utf8')))).sort()).toEqual(
      [WEBXML_OLD, 'PK\x03\x04 old client build', 'PK\x03\x04 old filter'].sort(),
    );
    expect(await modeOf(f.state.dir)).toBe(0o700);
    expect(await modeOf(r.checkpoint)).toBe(0o700);
    expect(await modeOf(join(r.checkpoint, 'manifest.json'))).toBe(0o600);

    const [m] = await listCheckpoints(f.state);
    expect(m).toMatchObject({ status: 'applied', command: 'install', jiraDir: f.jira, createdAt: NOW.toISOString(), dir: r.checkpoint });
    expect(m!.entries.map((e) => [e.path, e.existed, e.role])).toEqual([
      [webXml, true, 'web.xml'],
      [added, false, 'jar'],
      [replaced, true, 'jar'],
      [removed, true, 'jar'],
    ]);
    expect(m!.entries[0]!.own).toEqual({ mode: 0o640, uid: (await fs.stat(webXml)).uid, gid: (await fs.stat(webXml)).gid });
    expect(m!.after).toEqual({ [webXml]: sha256(Buffer.from(WEBXML_NEW)), [added]: sha256(Buffer.from('PK\x03\x04 new DuoWeb')), [replaced]: sha256(Buffer.from('PK\x03\x04 official client')), [removed]: null });
  });

  it('restoreCheckpoint of an applied checkpoint undoes it byte-for-byte, modes included', async () => {
    const f = await fixture();
    const r = await applyActions(f.actions, opts(f));
    const [m] = await listCheckpoints(f.state);
    await restoreCheckpoint(m!, r.checkpoint);
    expect(await snapshot(f.jira)).toEqual(f.before);
  });

  it('listCheckpoints returns every run oldest first and ignores folders without a readable manifest', async () => {
    const f = await fixture();
    await applyActions(f.actions.slice(0, 1), opts(f, { now: new Date('2025-03-04T05:06:07Z') }));
    // Undo by hand so the second plan's precondition holds again.
    await fs.writeFile(f.actions[0]!.path, WEBXML_OLD);
    await applyActions(f.actions.slice(0, 1), opts(f, { now: new Date('2024-01-01T00:00:00Z') }));
    await fs.mkdir(join(f.state.checkpoints, 'zz-junk'), { recursive: true });
    await fs.mkdir(join(f.state.checkpoints, 'zz-broken'), { recursive: true });
    await fs.writeFile(join(f.state.checkpoints, 'zz-broken', 'manifest.json'), '{ not json');
    const list = await listCheckpoints(f.state);
    expect(list.map((m) => m.createdAt)).toEqual(['2024-01-01T00:00:00.000Z', '2025-03-04T05:06:07.000Z']);
    expect(list.every((m) => m.status === 'applied')).toBe(true);
  });

  it('listCheckpoints of a state folder that does not exist yet is empty', async () => {
    const dir = await withTempDir();
    expect(await listCheckpoints(statePaths('/opt/atlassian/jira', { DUO_JIRA_STATE_DIR: join(dir, 'nope') }))).toEqual([]);
  });

  it('a new file without `like` gets 0644', async () => {
    const f = await fixture();
    const path = join(f.jira, 'atlassian-jira/WEB-INF/lib/duo-filter-1.4.3.jar');
    await applyActions([{ kind: 'write', path, content: Buffer.from('x'), expect: 'absent', role: 'jar' }], opts(f));
    expect(await modeOf(path)).toBe(0o644);
  });
});

describe('applyActions: a failure part-way rolls every file back', () => {
  it.each([0, 1, 2, 3])('afterAction throws after action %i of 4 → RolledBackError (exit 5), tree byte-identical', async (k) => {
    const f = await fixture();
    const seen: number[] = [];
    const err = await applyActions(
      f.actions,
      opts(f, {
        afterAction: async (i) => {
          seen.push(i);
          // Part-way really is part-way: actions 0..i are on disk when the hook runs.
          expect(await snapshot(f.jira)).toEqual(expectedAfter(f, i));
          if (i === k) throw new Error(`disk full at step ${i}`);
        },
      }),
    ).catch((e: unknown) => e);

    expect(seen).toEqual([...Array(k + 1).keys()]);
    expect(err).toBeInstanceOf(RolledBackError);
    expect((err as RolledBackError).exitCode).toBe(EXIT.rolledBack);
    expect((err as RolledBackError).exitCode).toBe(5);
    expect((err as Error).message).toContain(`disk full at step ${k}`);
    expect((err as RolledBackError).hint).toContain(f.state.checkpoints);

    expect(await snapshot(f.jira)).toEqual(f.before); // content, mode, and no stray temp files
    expect(await exists(f.state.journal)).toBe(false);
    expect(await hasInterrupted(f.state)).toBe(false);
    const list = await listCheckpoints(f.state);
    expect(list).toHaveLength(1);
    expect(list[0]!.status).toBe('rolled-back');
    const backups = await backupsOf(list[0]!.dir);
    expect(backups.map((b) => b.name)).toEqual(['01-web.xml', '03-duo-client-0.3.0.jar', '04-duo-filter-1.3.7.jar']);
    for (const b of backups) expect(b.mode).toBe(0o600);
  });

  it('a write that fails inside the transaction (its folder is gone) rolls back the earlier ones', async () => {
    const f = await fixture();
    const actions: Action[] = [...f.actions, { kind: 'write', path: join(f.jira, 'atlassian-jira/WEB-INF/missing/x.jar'), content: Buffer.from('x'), expect: 'absent', role: 'jar' }];
    const err = await applyActions(actions, opts(f)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolledBackError);
    expect(await snapshot(f.jira)).toEqual(f.before);
    expect(await exists(f.state.journal)).toBe(false);
  });

  it('a result that does not read back as written (changed behind our back) rolls back', async () => {
    const f = await fixture();
    const err = await applyActions(
      f.actions,
      opts(f, {
        afterAction: async (i) => {
          if (i === f.actions.length - 1) await fs.writeFile(f.actions[0]!.path, 'someone else wrote this');
        },
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolledBackError);
    expect((err as Error).message).toContain('does not hold what was written');
    expect(await snapshot(f.jira)).toEqual(f.before);
    expect((await listCheckpoints(f.state))[0]!.status).toBe('rolled-back');
  });
});

describe('applyActions: preconditions are checked before the first write', () => {
  const cases: Array<[string, (f: Fixture) => Promise<void>, number]> = [
    ['web.xml edited between plan and apply (sha differs)', (f) => fs.appendFile(f.actions[0]!.path, '<!-- edited -->'), 0],
    ['a jar to add appeared meanwhile (expected absent)', (f) => fs.writeFile(f.actions[1]!.path, 'PK\x03\x04 someone else'), 1],
    ['a jar to replace was deleted meanwhile', (f) => fs.rm(f.actions[2]!.path), 2],
    // The last action's precondition failing must stop the first action too.
    ['the last action\'s jar changed', (f) => fs.writeFile(f.actions[3]!.path, 'PK\x03\x04 other filter'), 3],
  ];
  it.each(cases)('%s → EnvironmentError (exit 3) and nothing written', async (_name, tamper, index) => {
    const f = await fixture();
    await tamper(f);
    f.before = await snapshot(f.jira);
    const err = await applyActions(f.actions, opts(f, { afterAction: () => { throw new Error('no action may run'); } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(EXIT.environment);
    expect((err as Error).message).toContain(f.actions[index]!.path);
    expect((err as Error).message).toContain('Nothing was written');
    await expectNothingWritten(f);
  });
});

describe('modes and owners', () => {
  it('a 0640 web.xml stays 0640 after the write and after a rollback; the new file gets the `like` mode', async () => {
    const f = await fixture({ like: { mode: 0o600, ...ME } });
    const [webXml, added] = [f.actions[0]!.path, f.actions[1]!.path];
    await applyActions(f.actions.slice(0, 2), opts(f, { afterAction: async (i) => {
      if (i === 1) {
        expect(await modeOf(webXml)).toBe(0o640);
        expect(await modeOf(added)).toBe(0o600);
        throw new Error('stop');
      }
    } })).catch(() => {});
    expect(await modeOf(webXml)).toBe(0o640);
    expect(await snapshot(f.jira)).toEqual(f.before);
  });

  it('an unusual mode (0751, setgid) survives a write and a rollback exactly', async () => {
    const f = await fixture();
    await fs.chmod(f.actions[0]!.path, 0o2751);
    f.actions[0] = { ...f.actions[0]!, expect: { sha256: sha256(await fs.readFile(f.actions[0]!.path)) } };
    f.before = await snapshot(f.jira);
    await applyActions(f.actions.slice(0, 1), opts(f, { afterAction: async () => {
      expect(await modeOf(f.actions[0]!.path)).toBe(0o2751);
      throw new Error('stop');
    } })).catch(() => {});
    expect(await snapshot(f.jira)).toEqual(f.before);
  });

  it.runIf(isRoot)('as root: an existing file keeps its owner through write and rollback; a new file gets the `like` owner', async () => {
    const f = await fixture({ like: { mode: 0o640, uid: 4321, gid: 4322 } });
    const [webXml, added] = [f.actions[0]!.path, f.actions[1]!.path];
    await fs.chown(webXml, 1234, 1235);
    const owner = async (p: string) => { const s = await fs.stat(p); return [s.uid, s.gid]; };
    await applyActions(f.actions, opts(f, { afterAction: async (i) => {
      if (i === 0) expect(await owner(webXml)).toEqual([1234, 1235]);
      if (i === 1) expect(await owner(added)).toEqual([4321, 4322]);
      if (i === 3) throw new Error('stop');
    } })).catch(() => {});
    expect(await owner(webXml)).toEqual([1234, 1235]);
    // And a successful run keeps it too.
    await applyActions(f.actions, opts(f));
    expect(await owner(webXml)).toEqual([1234, 1235]);
    expect(await owner(added)).toEqual([4321, 4322]);
    // The backups (which hold the skey) stay root-only whatever the original's owner.
    const [, m] = await listCheckpoints(f.state);
    for (const b of await backupsOf(m!.dir)) {
      expect(b.mode).toBe(0o600);
      expect(await owner(join(m!.dir, 'files', b.name))).toEqual([0, 0]);
    }
  });
});

describe('a run killed mid-way is repaired by recoverInterrupted', () => {
  let childDir: string;
  let child: string;

  beforeAll(async () => {
    childDir = await tempDir('duo-jira-child-');
    child = join(childDir, 'apply-child.mjs');
    const transaction = fileURLToPath(new URL('../../src/fs/transaction.ts', import.meta.url));
    // A tiny entry that applies a plan read from a JSON file and SIGKILLs itself after action `killAt`.
    const contents = `
      import { readFileSync } from 'node:fs';
      import { applyActions } from ${JSON.stringify(transaction)};
      const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
      const actions = cfg.actions.map((a) => (a.kind === 'write' ? { ...a, content: Buffer.from(a.content, 'base64') } : a));
      await applyActions(actions, {
        state: cfg.state, command: 'install', jiraDir: cfg.jiraDir, now: new Date(cfg.now),
        afterAction: (i) => { if (i === cfg.killAt) process.kill(process.pid, 'SIGKILL'); },
      });
      process.stdout.write('finished\\n');
    `;
    await build({
      stdin: { contents, resolveDir: childDir, loader: 'ts', sourcefile: 'apply-child.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: child,
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
  });
  afterAll(() => removeTree(childDir));

  function runChild(f: Fixture, killAt: number) {
    const cfg = join(childDir, `cfg-${Math.random().toString(16).slice(2)}.json`);
    const actions = f.actions.map((a) => (a.kind === 'write' ? { ...a, content: Buffer.from(a.content).toString('base64') } : a));
    return fs.writeFile(cfg, JSON.stringify({ actions, state: f.state, jiraDir: f.jira, now: NOW.toISOString(), killAt })).then(() =>
      spawnSync(process.execPath, [child, cfg], { encoding: 'utf8', timeout: 20_000 }),
    );
  }

  it('the child applies the whole plan when not killed (the harness itself works)', async () => {
    const f = await fixture();
    const r = await runChild(f, -1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('finished\n');
    expect(await snapshot(f.jira)).toEqual(expectedAfter(f, f.actions.length - 1));
    expect(await hasInterrupted(f.state)).toBe(false);
    expect(await recoverInterrupted(f.state)).toBeUndefined();
  });

  it.each([0, 1, 2, 3])('SIGKILL after action %i of 4: half-changed tree + journal; recovery restores every byte', async (k) => {
    const f = await fixture();
    const r = await runChild(f, k);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('');

    // The kill left exactly actions 0..k done, and the journal pointing at a pending checkpoint.
    expect(await snapshot(f.jira)).toEqual(expectedAfter(f, k));
    expect(await snapshot(f.jira)).not.toEqual(f.before);
    expect(await hasInterrupted(f.state)).toBe(true);
    const journal = JSON.parse(await fs.readFile(f.state.journal, 'utf8')) as { checkpoint: string; pid: number };
    expect(journal.pid).toBe(r.pid);
    const [pending] = await listCheckpoints(f.state);
    expect(pending!.status).toBe('pending');
    expect(pending!.dir).toBe(join(f.state.checkpoints, journal.checkpoint));

    const rec = await recoverInterrupted(f.state);
    expect(rec).toEqual({ checkpoint: pending!.dir, command: 'install', restored: true });
    expect(await snapshot(f.jira)).toEqual(f.before);
    expect(await exists(f.state.journal)).toBe(false);
    const [after] = await listCheckpoints(f.state);
    expect(after!.status).toBe('rolled-back');
    for (const b of await backupsOf(after!.dir)) expect(b.mode).toBe(0o600);
    // Nothing left to repair; and the plan can now be applied cleanly.
    expect(await recoverInterrupted(f.state)).toBeUndefined();
    await applyActions(f.actions, opts(f));
    expect(await snapshot(f.jira)).toEqual(expectedAfter(f, f.actions.length - 1));
  });

  it('a kill inside a write leaves a temp file next to the target; recovery removes it too', async () => {
    const f = await fixture();
    const webInf = join(f.jira, 'atlassian-jira/WEB-INF');
    // Files that merely look similar are the admin's, not ours: kept.
    await fs.writeFile(join(webInf, '.web.xml.duo-jira-notours.tmp'), 'admin');
    await fs.writeFile(join(webInf, '.web.xml.bak'), 'admin');
    f.before = await snapshot(f.jira);
    const r = await runChild(f, 0);
    expect(r.signal).toBe('SIGKILL');
    // What writeAtomic leaves when killed between creating its temp file and the rename (for action 1),
    // given the target's mode before the rename: here web.xml's skey-bearing content, readable by the group.
    await fs.writeFile(join(webInf, '.web.xml.duo-jira-0a1b2c3d.tmp'), WEBXML_NEW, { mode: 0o640 });
    await fs.writeFile(join(webInf, 'lib', '.DuoWeb-1.3.jar.duo-jira-deadbeef.tmp'), 'PK\x03\x04 half');
    await recoverInterrupted(f.state);
    expect(await snapshot(f.jira)).toEqual(f.before);
  });

  it('a journal whose checkpoint has no manifest is cleared without touching files, and says nothing was restored', async () => {
    const f = await fixture();
    await fs.mkdir(f.state.dir, { recursive: true });
    await fs.writeFile(f.state.journal, JSON.stringify({ checkpoint: 'gone', pid: 1 }));
    expect(await recoverInterrupted(f.state)).toEqual({ checkpoint: join(f.state.checkpoints, 'gone'), command: 'unknown', restored: false });
    expect(await exists(f.state.journal)).toBe(false);
    expect(await snapshot(f.jira)).toEqual(f.before);
  });

  it('no journal → nothing to recover', async () => {
    const f = await fixture();
    expect(await recoverInterrupted(f.state)).toBeUndefined();
    expect(await snapshot(f.jira)).toEqual(f.before);
  });
});

