// Apply a plan's file actions as one all-or-nothing transaction (certbot reverter style):
//   1. check every precondition before the first write;
//   2. checkpoint: copy each file about to change into a 0600 backup and write its manifest;
//   3. write the journal ("a transaction is in flight, here is its checkpoint");
//   4. perform the actions (atomic renames), then re-read and compare;
//   5. on any failure restore every file from the checkpoint; a run killed mid-way is repaired by the
//      next run, which finds the journal.
// This is the only module that changes files in the Jira installation.
import { randomBytes } from 'node:crypto';
import { quickFs as fs } from './quick.js';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256 } from '../artifacts.js';
import { EnvironmentError, InternalError, RolledBackError } from '../errors.js';
import { removeDurably, removeStaleTemps, statOwnership, syncDir, writeAtomic, writeDurable, type Ownership } from './atomic.js';
import type { StatePaths } from './state.js';

export type Action =
  | { kind: 'write'; path: string; content: Uint8Array; expect: Expect; /** mode/owner for a new file */ like?: Ownership; role: string }
  | { kind: 'remove'; path: string; expect: Expect; role: string };

/** What the file must look like right before we touch it: unchanged since it was read, or absent. */
export type Expect = { sha256: string } | 'absent';

export interface CheckpointEntry {
  path: string;
  existed: boolean;
  sha256?: string;
  own?: Ownership;
  backup?: string;
  role: string;
}

export interface Manifest {
  id: string;
  command: string;
  jiraDir: string;
  createdAt: string;
  status: 'pending' | 'applied' | 'rolled-back';
  entries: CheckpointEntry[];
  /** sha256 of each path after the change (for rollback's "was it changed since?" check). */
  after: Record<string, string | null>;
}

export interface ApplyOptions {
  state: StatePaths;
  command: string;
  jiraDir: string;
  now: Date;
  /** Test hook: called after each action; throwing here simulates a failure part-way. */
  afterAction?: (index: number, action: Action) => void | Promise<void>;
}

export interface ApplyResult { checkpoint: string; backups: string[] }

export async function applyActions(actions: Action[], opts: ApplyOptions): Promise<ApplyResult> {
  const current = await checkPreconditions(actions);
  const manifest = await createCheckpoint(actions, current, opts);
  const dir = join(opts.state.checkpoints, manifest.id);
  await writeJson(opts.state.journal, { checkpoint: manifest.id, pid: process.pid, startedAt: opts.now.toISOString() });
  try {
    for (const [i, a] of actions.entries()) {
      await perform(a, manifest);
      await opts.afterAction?.(i, a);
    }
    // One directory fsync per folder instead of one per file: the renames are durable before the journal goes.
    for (const d of new Set(actions.map((a) => dirname(a.path)))) await syncDir(d);
    await confirmResult(actions);
  } catch (cause) {
    await restoreOrExplain(manifest, dir, cause);
    await fs.rm(opts.state.journal, { force: true });
    manifest.status = 'rolled-back';
    await writeJson(join(dir, 'manifest.json'), manifest);
    throw new RolledBackError(
      `The change failed part-way (${(cause as Error).message}) and every file was restored to how it was.`,
      `Fix the cause and run the command again. Backups stay in ${dir}.`,
    );
  }
  manifest.status = 'applied';
  await writeJson(join(dir, 'manifest.json'), manifest);
  await fs.rm(opts.state.journal, { force: true });
  return { checkpoint: dir, backups: manifest.entries.filter((e) => e.backup).map((e) => join(dir, e.backup!)) };
}

/** Every target as it is now (what the checkpoint backs up), after checking it is what the plan expects. */
async function checkPreconditions(actions: Action[]): Promise<Map<string, Buffer | undefined>> {
  const seen = new Map<string, Buffer | undefined>();
  for (const a of actions) {
    const current = await readOrUndefined(a.path);
    seen.set(a.path, current);
    const ok = a.expect === 'absent' ? current === undefined : current !== undefined && sha256(current) === a.expect.sha256;
    if (!ok) {
      throw new EnvironmentError(
        `${a.path} changed while duo-jira was planning (${a.expect === 'absent' ? 'it now exists' : current ? 'its content differs' : 'it was removed'}). Nothing was written.`,
        'Make sure nothing else is editing the Jira installation, then run the command again.',
      );
    }
  }
  return seen;
}

async function createCheckpoint(actions: Action[], current: Map<string, Buffer | undefined>, opts: ApplyOptions): Promise<Manifest> {
  const id = `${opts.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const dir = join(opts.state.checkpoints, id);
  await fs.mkdir(join(dir, 'files'), { recursive: true, mode: 0o700 });
  await fs.chmod(opts.state.dir, 0o700);
  const entries: CheckpointEntry[] = [];
  for (const [i, a] of actions.entries()) {
    const bytes = current.get(a.path);
    if (!bytes) {
      entries.push({ path: a.path, existed: false, role: a.role });
      continue;
    }
    // Backups hold the skey: 0600, whatever the original's mode.
    const backup = join('files', `${String(i + 1).padStart(2, '0')}-${basename(a.path)}`);
    await writeDurable(join(dir, backup), bytes, 0o600);
    entries.push({ path: a.path, existed: true, sha256: a.expect === 'absent' ? sha256(bytes) : a.expect.sha256, own: await statOwnership(a.path), backup, role: a.role });
  }
  const after: Record<string, string | null> = {};
  for (const a of actions) after[a.path] = a.kind === 'write' ? sha256(a.content) : null;
  const manifest: Manifest = { id, command: opts.command, jiraDir: opts.jiraDir, createdAt: opts.now.toISOString(), status: 'pending', entries, after };
  await writeDurable(join(dir, 'manifest.json'), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 0o600);
  // The backups, the manifest and the checkpoint folder itself must be on disk before the journal points
  // at them: a journal whose checkpoint vanished in a crash could not be repaired.
  for (const d of [join(dir, 'files'), dir, opts.state.checkpoints]) await syncDir(d);
  return manifest;
}

async function perform(a: Action, m: Manifest): Promise<void> {
  if (a.kind === 'remove') return removeDurably(a.path, { syncDir: false });
  const own = m.entries.find((e) => e.path === a.path)?.own ?? a.like ?? { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  await writeAtomic(a.path, a.content, own, { syncDir: false });
}

async function confirmResult(actions: Action[]): Promise<void> {
  for (const a of actions) {
    const now = await readOrUndefined(a.path);
    const ok = a.kind === 'remove' ? now === undefined : now !== undefined && Buffer.from(now).equals(Buffer.from(a.content));
    if (!ok) throw new Error(`${a.path} does not hold what was written`);
  }
}

/** Put every file of a checkpoint back: the content, mode and owner it had, or absent if it was absent. */
export async function restoreCheckpoint(manifest: Manifest, dir: string): Promise<void> {
  for (const e of [...manifest.entries].reverse()) {
    if (!e.existed) await removeDurably(e.path);
    else await writeAtomic(e.path, await fs.readFile(join(dir, e.backup!)), e.own!);
  }
}

async function restoreOrExplain(m: Manifest, dir: string, cause: unknown): Promise<void> {
  try {
    await restoreCheckpoint(m, dir);
  } catch (e) {
    const list = m.entries.map((x) => `  ${x.path} ← ${x.existed ? join(dir, x.backup!) : '(did not exist: delete it)'}`).join('\n');
    throw new InternalError(
      `The change failed (${(cause as Error).message}) and restoring the backups failed too (${(e as Error).message}).\nRestore these files by hand:\n${list}`,
    );
  }
}

/** `restored` is false when the journal's checkpoint has no readable manifest: then nothing could be put back. */
export interface Recovery { checkpoint: string; command: string; restored: boolean }

/** If a previous run was killed mid-transaction, restore its checkpoint. Call with the lock held. */
export async function recoverInterrupted(state: StatePaths): Promise<Recovery | undefined> {
  const journal = await readJson<{ checkpoint: string }>(state.journal);
  if (!journal) return undefined;
  const dir = join(state.checkpoints, journal.checkpoint);
  const manifest = await readJson<Manifest>(join(dir, 'manifest.json'));
  if (manifest) {
    await restoreCheckpoint(manifest, dir);
    // A kill inside writeAtomic leaves its temp file (the new content, e.g. web.xml with the skey) next to the target.
    for (const e of manifest.entries) await removeStaleTemps(e.path);
    manifest.status = 'rolled-back';
    await writeJson(join(dir, 'manifest.json'), manifest);
  }
  await fs.rm(state.journal, { force: true });
  return { checkpoint: dir, command: manifest?.command ?? 'unknown', restored: manifest !== undefined };
}

export async function hasInterrupted(state: StatePaths): Promise<boolean> {
  return (await readOrUndefined(state.journal)) !== undefined;
}

export async function listCheckpoints(state: StatePaths): Promise<Array<Manifest & { dir: string }>> {
  const names = await fs.readdir(state.checkpoints).catch(() => [] as string[]);
  const out: Array<Manifest & { dir: string }> = [];
  for (const n of names.sort()) {
    const m = await readJson<Manifest>(join(state.checkpoints, n, 'manifest.json'));
    if (m) out.push({ ...m, dir: join(state.checkpoints, n) });
  }
  return out;
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  const b = await readOrUndefined(path);
  if (!b) return undefined;
  try {
    return JSON.parse(b.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const own = { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  await writeAtomic(path, Buffer.from(JSON.stringify(value, null, 2) + '\n'), own);
}
