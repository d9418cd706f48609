// Undoing an applied change from its checkpoint: the core behind `duo-jira rollback` and behind the automatic
// undo when Jira does not come back after `--restart`. An undo is itself a Plan of write/remove actions
// applied through applyActions, so it is checkpointed and journaled like any change (and can be undone too).
// Each action's precondition is "the file is still what that change wrote" (the manifest's `after` hashes):
// a file edited since is never overwritten.
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256 } from './artifacts.js';
import { EnvironmentError } from './errors.js';
import { writeAtomic } from './fs/atomic.js';
import type { StatePaths } from './fs/state.js';
import { applyActions, listCheckpoints, type Action, type ApplyResult, type CheckpointEntry, type Manifest } from './fs/transaction.js';
import { readWebXml } from './webxml/index.js';
import { emptyPlan, type Plan } from './workflow.js';

/** A checkpoint as rollback sees it: the transaction's manifest plus what rollback records in it. */
export interface Checkpoint extends Omit<Manifest, 'status'> {
  /** `undone`: a later rollback (or the automatic undo after a failed restart) put the files back. */
  status: Manifest['status'] | 'undone';
  dir: string;
  /** On a rollback's own checkpoint: the id of the checkpoint it undid. */
  undoes?: string;
  /** Why the undo happened (e.g. Jira did not come back after --restart). */
  reason?: string;
  undoneBy?: string;
  undoneAt?: string;
}

/** Every checkpoint of this Jira install, oldest first (by creation time, not by id: ids only have seconds). */
export async function loadCheckpoints(state: StatePaths): Promise<Checkpoint[]> {
  const list = (await listCheckpoints(state)) as Checkpoint[];
  return list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

/** What plain `duo-jira rollback` undoes: the newest applied change that is not itself an undo. */
export function lastApplied(list: Checkpoint[]): Checkpoint | undefined {
  return [...list].reverse().find((c) => c.status === 'applied' && c.command !== 'rollback');
}

/** --checkpoint <id>: the exact id, the checkpoint folder path, or an unambiguous prefix of the id. */
export function findCheckpoint(list: Checkpoint[], wanted: string): Checkpoint {
  const id = basename(wanted.replace(/\/+$/, ''));
  const exact = list.find((c) => c.id === id);
  if (exact) return exact;
  const prefixed = list.filter((c) => c.id.startsWith(id));
  if (prefixed.length === 1) return prefixed[0]!;
  const known = list.length ? `Known checkpoints: ${list.map((c) => c.id).join(', ')}.` : 'There are no checkpoints for this Jira installation.';
  throw new EnvironmentError(
    prefixed.length > 1 ? `--checkpoint ${wanted} matches ${prefixed.length} checkpoints (${prefixed.map((c) => c.id).join(', ')}).` : `No checkpoint ${wanted}. ${known}`,
    'List them with `duo-jira rollback --list` and pass one id.',
  );
}

/** How a checkpoint entry looked before and after its change, for lists and plans. */
export function entryOp(c: Pick<Checkpoint, 'after'>, e: CheckpointEntry): 'added' | 'modified' | 'removed' {
  if (!e.existed) return 'added';
  return c.after[e.path] === null ? 'removed' : 'modified';
}

/**
 * The Plan that puts every file of `target` back the way it was before that change. Refuses (exit 3, naming
 * the file) when a file is no longer what that change wrote, and when a backup is missing or damaged.
 */
export async function planUndo(target: Checkpoint, jiraDir: string, all: Checkpoint[] = []): Promise<Plan> {
  if (target.status !== 'applied') {
    const why = target.status === 'undone'
      ? `it was already undone${target.undoneBy ? ` by ${target.undoneBy}` : ''}${target.undoneAt ? ` at ${target.undoneAt}` : ''}`
      : target.status === 'rolled-back'
        ? 'it failed part-way and was rolled back at the time, so it left nothing to undo'
        : 'it never completed';
    throw new EnvironmentError(`Checkpoint ${target.id} (${target.command}, ${target.createdAt}) cannot be undone: ${why}. Nothing was changed.`, 'See `duo-jira rollback --list` for the changes that are still applied.');
  }
  const plan = emptyPlan('rollback', jiraDir);
  for (const e of [...target.entries].reverse()) {
    const current = await readOrUndefined(e.path);
    const wrote = target.after[e.path];
    const still = wrote === null || wrote === undefined ? current === undefined : current !== undefined && sha256(current) === wrote;
    if (!still) throw changedSince(target, e, current, all);
    const op = entryOp(target, e);
    const name = basename(e.path);
    if (e.existed) {
      const backupPath = join(target.dir, e.backup!);
      const bytes = await readOrUndefined(backupPath);
      if (!bytes || sha256(bytes) !== e.sha256) {
        throw new EnvironmentError(
          `The backup of ${e.path} in checkpoint ${target.id} is ${bytes ? 'damaged (its SHA-256 differs from the manifest)' : `missing (${backupPath})`}. Nothing was changed.`,
          'duo-jira cannot undo this change safely; restore that file by hand or use `duo-jira uninstall`/`install` to set the state you want.',
        );
      }
      const expect = current === undefined ? ('absent' as const) : { sha256: sha256(current) };
      plan.actions.push({ kind: 'write', path: e.path, content: bytes, expect, ...(e.own ? { like: e.own } : {}), role: e.role });
      if (e.role === 'web.xml' && current) {
        plan.webxml = { path: e.path, before: current, after: bytes };
        plan.secrets.push(...secretsIn(current), ...secretsIn(bytes));
      }
    } else if (current !== undefined) {
      plan.actions.push({ kind: 'remove', path: e.path, expect: { sha256: sha256(current) }, role: e.role });
    }
    describe(plan, e, op, name);
  }
  const j = plan.jars;
  const list = (x: { added: string[]; replaced: string[]; removed: string[] }) =>
    [x.added.length && `put back ${x.added.join(', ')}`, x.replaced.length && `restore ${x.replaced.join(', ')}`, x.removed.length && `remove ${x.removed.join(', ')}`].filter(Boolean).join('; ');
  if (j.added.length || j.replaced.length || j.removed.length) plan.changes.push(`WEB-INF/lib: ${list(j)}`);
  if (plan.addon) plan.changes.push(`${plan.addon.dir}: ${list(plan.addon)}`);
  plan.changes.unshift(`undo ${target.command} of ${target.createdAt} (checkpoint ${target.id})`);
  plan.needsConfirmation = true;
  return plan;
}

function describe(plan: Plan, e: CheckpointEntry, op: ReturnType<typeof entryOp>, name: string): void {
  // Undo: what the change added is removed, what it removed comes back, what it modified is restored.
  const undoOp = op === 'added' ? 'removed' : op === 'removed' ? 'added' : 'replaced';
  if (e.role === 'jar') plan.jars[undoOp].push(name);
  else if (e.role === 'addon') {
    plan.addon ??= { dir: join(e.path, '..'), added: [], replaced: [], removed: [] };
    plan.addon[undoOp].push(name);
  } else plan.changes.push(`${name}: restore the content it had before (${e.path})`);
}

function changedSince(target: Checkpoint, e: CheckpointEntry, current: Buffer | undefined, all: Checkpoint[]): EnvironmentError {
  const wrote = target.after[e.path];
  const how = current === undefined ? 'it was removed' : wrote === null || wrote === undefined ? 'it exists again' : 'its content differs';
  const hash = current === undefined ? null : sha256(current);
  const later = all.filter((c) => c.status === 'applied' && c.id !== target.id && c.createdAt >= target.createdAt && c.after[e.path] === hash && e.path in c.after).at(-1);
  const by = later ? ` It was changed by a later \`duo-jira ${later.command}\` (checkpoint ${later.id}): undo that one first (\`duo-jira rollback\` undoes the newest change).` : '';
  return new EnvironmentError(
    `Cannot undo ${target.command} of ${target.createdAt} (checkpoint ${target.id}): ${e.path} changed since that change wrote it (${how}).${by} Nothing was changed.`,
    later ? `Run \`duo-jira rollback\` until that checkpoint is the newest, or use \`duo-jira uninstall\`.` : `Something other than duo-jira edited it. Check the file; the content it had before is in ${e.backup ? join(target.dir, e.backup) : '(it did not exist)'}. \`duo-jira uninstall\` or \`install\` set a known state.`,
  );
}

function secretsIn(bytes: Buffer): string[] {
  try {
    const params = readWebXml(bytes).facts.duo.filter?.params ?? [];
    return params.filter(([n]) => n === 'skey' || n === 'akey').map(([, v]) => v);
  } catch {
    return [];
  }
}

/**
 * Record an applied undo: the undo's checkpoint says which one it undid (and why), the undone one becomes
 * `undone`, and if the undone one was itself an undo, the change it had undone counts as applied again.
 */
export async function recordUndo(target: Checkpoint, undo: ApplyResult, reason: string | undefined, now: Date, all: Checkpoint[] = []): Promise<void> {
  const undoManifest = await readManifest(undo.checkpoint);
  if (undoManifest) await writeManifest(undo.checkpoint, { ...undoManifest, undoes: target.id, ...(reason ? { reason } : {}) });
  const current = (await readManifest(target.dir)) ?? target;
  await writeManifest(target.dir, { ...stripDir(current), status: 'undone', undoneBy: basename(undo.checkpoint), undoneAt: now.toISOString() });
  if (target.undoes) {
    const redone = all.find((c) => c.id === target.undoes);
    const m = redone ? await readManifest(redone.dir) : undefined;
    if (redone && m) {
      const { undoneBy: _b, undoneAt: _a, ...rest } = stripDir(m);
      await writeManifest(redone.dir, { ...rest, status: 'applied' });
    }
  }
}

/** Undo `target` now, without asking: used when Jira does not come back after --restart. */
export async function undoNow(target: Checkpoint, opts: { state: StatePaths; jiraDir: string; now: Date; reason: string }): Promise<ApplyResult> {
  const all = await loadCheckpoints(opts.state);
  const plan = await planUndo(target, opts.jiraDir, all);
  const result = await applyActions(plan.actions as Action[], { state: opts.state, command: 'rollback', jiraDir: opts.jiraDir, now: opts.now });
  await recordUndo(target, result, opts.reason, opts.now, all);
  return result;
}

export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const m = await readManifest(dir);
  return m ? { ...m, dir } : undefined;
}

function stripDir(c: Checkpoint | Omit<Checkpoint, 'dir'>): Omit<Checkpoint, 'dir'> {
  const { dir: _d, ...rest } = c as Checkpoint;
  return rest;
}

async function readManifest(dir: string): Promise<Omit<Checkpoint, 'dir'> | undefined> {
  const b = await readOrUndefined(join(dir, 'manifest.json'));
  if (!b) return undefined;
  try {
    return JSON.parse(b.toString('utf8')) as Omit<Checkpoint, 'dir'>;
  } catch {
    return undefined;
  }
}

async function writeManifest(dir: string, m: Omit<Checkpoint, 'dir'>): Promise<void> {
  const own = { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  await writeAtomic(join(dir, 'manifest.json'), Buffer.from(JSON.stringify(m, null, 2) + '\n'), own);
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
