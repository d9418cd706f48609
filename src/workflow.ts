// The steps every changing command shares: find the Jira install, take the lock and repair an interrupted
// run, then either render the Plan (--dry-run / --json) or apply exactly that Plan.
import { promises as fs } from 'node:fs';
import { join, relative } from 'node:path';
import { familyOf, sha256, type LibFile } from './artifacts.js';
import { interactive, type Ctx } from './context.js';
import { maskSecrets } from './credentials.js';
import { EnvironmentError, UsageError } from './errors.js';
import { acquireLock } from './fs/lock.js';
import { statePaths, type StatePaths } from './fs/state.js';
import { applyActions, hasInterrupted, recoverInterrupted, type Action, type ApplyResult } from './fs/transaction.js';
import { jiraPaths, type JiraPaths } from './jira/layout.js';
import { detectVersion, support } from './jira/version.js';

export interface CommonOptions {
  jiraDir: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

export interface Plan {
  command: 'install' | 'uninstall' | 'disable' | 'enable' | 'addon install' | 'addon uninstall' | 'rollback';
  jiraDir: string;
  actions: Action[];
  /** web.xml before/after, for the diff. */
  webxml?: { path: string; before: Buffer; after: Buffer };
  /** One line per change, for humans: "web.xml: added the duoauth filter ...". */
  changes: string[];
  jars: { added: string[]; replaced: string[]; removed: string[] };
  warnings: string[];
  notes: string[];
  nextSteps: string[];
  /** Values to mask in every output. */
  secrets: string[];
  /** A change to an existing Duo setup needs a yes (prompt on a TTY, or --yes). */
  needsConfirmation: boolean;
}

export function emptyPlan(command: Plan['command'], jiraDir: string): Plan {
  return { command, jiraDir, actions: [], changes: [], jars: { added: [], replaced: [], removed: [] }, warnings: [], notes: [], nextSteps: [], secrets: [], needsConfirmation: false };
}

export interface Session { paths: JiraPaths; state: StatePaths; recovered?: string; release(): Promise<void> }

/** Check the layout, and for a real run take the lock and repair an interrupted earlier run first. */
export async function openSession(opts: CommonOptions, command: string, ctx: Ctx): Promise<Session> {
  const paths = jiraPaths(opts.jiraDir);
  await checkLayout(paths);
  const state = statePaths(paths.root, ctx.env);
  if (opts.dryRun) {
    const pending = await hasInterrupted(state);
    return { paths, state, recovered: pending ? 'an interrupted earlier run will be repaired first by the real run' : undefined, release: async () => {} };
  }
  await fs.mkdir(state.dir, { recursive: true, mode: 0o700 }).catch((e) => {
    throw new EnvironmentError(`Cannot create duo-jira's state folder ${state.dir}: ${(e as Error).message}`, 'Run as root (or set DUO_JIRA_STATE_DIR to a folder you can write).');
  });
  const lock = await acquireLock(state.lock, command, ctx.now());
  try {
    const rec = await recoverInterrupted(state);
    const recovered = rec ? `repaired an interrupted ${rec.command} run: restored every file from ${rec.checkpoint}` : undefined;
    return { paths, state, recovered, release: lock.release };
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function checkLayout(p: JiraPaths): Promise<void> {
  const hint = `Point -d at the Jira installation directory (the one holding atlassian-jira/ and bin/; default /opt/atlassian/jira).`;
  const st = await fs.stat(p.root).catch(() => undefined);
  if (!st?.isDirectory()) throw new EnvironmentError(`${p.root} does not exist or is not a directory.`, hint);
  for (const [path, what] of [[p.webXml, 'file'], [p.lib, 'directory']] as const) {
    const s = await fs.stat(path).catch(() => undefined);
    if (!s || (what === 'file' ? !s.isFile() : !s.isDirectory())) {
      throw new EnvironmentError(`${p.root} does not look like a Jira installation: ${relative(p.root, path)} is missing.`, hint);
    }
  }
  await fs.access(p.webXml, fs.constants.R_OK).catch(() => {
    throw new EnvironmentError(`Cannot read ${p.webXml} (permission denied).`, 'Run duo-jira as root or as the owner of the Jira installation.');
  });
}

export async function canWrite(paths: string[]): Promise<string[]> {
  const denied: string[] = [];
  for (const p of paths) await fs.access(p, fs.constants.W_OK).catch(() => denied.push(p));
  return denied;
}

/** The Duo family jars in WEB-INF/lib with their hashes (other jars are not read). */
export async function listLib(lib: string): Promise<LibFile[]> {
  const names = (await fs.readdir(lib)).filter((n) => familyOf(n));
  return Promise.all(names.map(async (name) => ({ name, sha256: sha256(await fs.readFile(join(lib, name))) })));
}

export async function jiraVersionWarning(p: JiraPaths): Promise<{ version?: string; warning?: string }> {
  const libFiles = await fs.readdir(p.lib).catch(() => [] as string[]);
  const v = detectVersion({ libFiles });
  const s = support(v.version);
  return { version: v.version, warning: s.level === 'supported' ? undefined : s.note };
}

export interface RunFlags { dryRun?: boolean; yes?: boolean; json?: boolean }

/** Render or apply a Plan. Dry-run and apply see the very same Plan object. */
export async function executePlan(plan: Plan, session: Session, flags: RunFlags, ctx: Ctx): Promise<number> {
  const { render } = await import('./render.js');
  if (session.recovered) plan.notes.unshift(session.recovered);
  if (plan.actions.length === 0) {
    ctx.stdout.write(render.nothing(plan, flags, ctx));
    return 0;
  }
  if (flags.dryRun) {
    ctx.stdout.write(await render.dryRun(plan, flags, ctx));
    return 0;
  }
  if (plan.needsConfirmation && !flags.yes) await confirm(plan, ctx);
  const denied = await canWrite([...new Set(plan.actions.map((a) => join(a.path, '..')))]);
  if (denied.length) throw new EnvironmentError(`No write permission for ${denied.join(', ')}. Nothing was changed.`, 'Run duo-jira as root (sudo) or as the owner of the Jira installation.');
  const result: ApplyResult = await applyActions(plan.actions, { state: session.state, command: plan.command, jiraDir: plan.jiraDir, now: ctx.now() });
  ctx.stdout.write(render.applied(plan, result, flags, ctx));
  return 0;
}

async function confirm(plan: Plan, ctx: Ctx): Promise<void> {
  if (!interactive(ctx) || !ctx.prompts) {
    throw new UsageError(`This ${plan.command} changes an existing Duo setup and needs confirmation, but there is no terminal to ask on.`, 'Review it with --dry-run, then re-run with --yes.');
  }
  const { render } = await import('./render.js');
  ctx.stderr.write(maskSecrets(render.summary(plan, ctx), plan.secrets));
  if (!(await ctx.prompts.confirm(`Apply these changes to ${plan.jiraDir}?`))) throw new UsageError('Cancelled; nothing was changed.');
}
