// duo-jira rollback: undo the last applied change (or a listed one) from its checkpoint — web.xml, jars and
// add-on together — as a checkpointed, journaled transaction of its own. Distinct from uninstall: it puts back
// exactly what that one change replaced (an earlier Duo setup included), and refuses when a file was edited since.
import { basename, relative, resolve } from 'node:path';
import { loadPaint, paint } from '../paint.js';
import type { Ctx } from '../context.js';
import { statePaths } from '../fs/state.js';
import { entryOp, findCheckpoint, lastApplied, loadCheckpoints, planUndo, recordUndo, type Checkpoint } from '../rollback.js';
import { executePlan, openSession, type CommonOptions } from '../workflow.js';

export interface RollbackOptions extends CommonOptions {
  list?: boolean;
  /** --checkpoint <id>: undo this one instead of the newest applied change. */
  checkpoint?: string;
}

export async function run(opts: RollbackOptions, ctx: Ctx): Promise<number> {
  if (opts.list) return list(opts, ctx);
  const session = await openSession(opts, 'rollback', ctx);
  try {
    const all = await loadCheckpoints(session.state);
    const target = opts.checkpoint ? findCheckpoint(all, opts.checkpoint) : lastApplied(all);
    if (!target) {
      const msg = all.length
        ? `duo-jira rollback: nothing to undo — every recorded change to ${session.paths.root} is already undone or was rolled back (see \`duo-jira rollback --list\`).`
        : `duo-jira rollback: nothing to undo — duo-jira has no record of a change to ${session.paths.root} (state: ${session.state.dir}).`;
      ctx.stdout.write(opts.json ? JSON.stringify({ action: 'rollback', jiraDir: session.paths.root, changed: false, message: msg }, null, 2) + '\n' : msg + '\n');
      return 0;
    }
    const plan = await planUndo(target, session.paths.root, all);
    plan.notes.push(`undoes checkpoint ${target.id}: ${target.command} of ${target.createdAt}`);
    if (!opts.restart) plan.nextSteps.push('Restart Jira (`duo-jira restart`, or add --restart) so the change takes effect.');
    return await executePlan(plan, session, opts, ctx, { afterApply: (r) => recordUndo(target, r, 'duo-jira rollback', ctx.now(), all) });
  } finally {
    await session.release();
  }
}

async function list(opts: RollbackOptions, ctx: Ctx): Promise<number> {
  const root = resolve(ctx.cwd, opts.jiraDir);
  const state = statePaths(root, ctx.env);
  const all = await loadCheckpoints(state);
  const next = lastApplied(all);
  const files = (c: Checkpoint) => c.entries.map((e) => ({ path: e.path, role: e.role, op: entryOp(c, e) }));
  if (opts.json) {
    const doc = {
      jiraDir: root,
      stateDir: state.dir,
      next: next?.id ?? null,
      checkpoints: all.map((c) => ({
        id: c.id, createdAt: c.createdAt, command: c.command, status: c.status, dir: c.dir, files: files(c),
        ...(c.undoes ? { undoes: c.undoes } : {}), ...(c.undoneBy ? { undoneBy: c.undoneBy } : {}), ...(c.reason ? { reason: c.reason } : {}),
      })),
    };
    ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  if (!all.length) {
    ctx.stdout.write(`No checkpoints for ${root} (state: ${state.dir}): duo-jira has not changed this installation.\n`);
    return 0;
  }
  await loadPaint(ctx.color);
  const c = paint(ctx.color);
  const rows = all.map((cp) => {
    const what = cp.undoes ? `${cp.command} (undoes ${cp.undoes})` : cp.command;
    const names = cp.entries.map((e) => `${sign(entryOp(cp, e))}${shortPath(e.path, root)}`).join(', ');
    return [cp.id, cp.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), what, cp.status, names, cp === next ? ' ← next `duo-jira rollback` undoes this' : ''];
  });
  const head = ['ID', 'DATE', 'COMMAND', 'STATUS', 'FILES'];
  const width = (i: number) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length));
  const fmt = (r: string[]) => r.slice(0, 4).map((v, i) => v.padEnd(width(i))).join('  ') + '  ' + r[4];
  let out = `Checkpoints for ${root} (state: ${state.dir}), oldest first:\n`;
  out += c.bold(fmt(head)) + '\n';
  for (const r of rows) out += fmt(r) + c.cyan(r[5]!) + '\n';
  out += `Files: + added by that change, ~ modified, - removed. Undo one with \`duo-jira rollback --checkpoint <id>\`.\n`;
  ctx.stdout.write(out);
  return 0;
}

function sign(op: ReturnType<typeof entryOp>): string {
  return op === 'added' ? '+' : op === 'removed' ? '-' : '~';
}

function shortPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.startsWith('atlassian-jira/WEB-INF/lib/') ? basename(path) : rel;
}
