// The steps every changing command shares: find the Jira install, take the lock and repair an interrupted
// run, then either render the Plan (--dry-run / --json) or apply exactly that Plan.
import { quickFs as fs } from './fs/quick.js';
import { basename, join, relative, resolve } from 'node:path';
import { familyOf, sha256, type LibFile } from './artifacts.js';
import { interactive, type Ctx } from './context.js';
import { maskSecrets } from './credentials.js';
import type { RestartJiraOptions } from './commands/restart.js';
import { EnvironmentError, InternalError, RolledBackError, UsageError } from './errors.js';
import { acquireLock } from './fs/lock.js';
import { statePaths, type StatePaths } from './fs/state.js';
import { applyActions, hasInterrupted, recoverInterrupted, type Action, type ApplyResult } from './fs/transaction.js';
import { jiraPaths, type JiraPaths } from './jira/layout.js';
import { detectVersion, support } from './jira/version.js';
import { checkTimeout, describeMethod, restartJira } from './commands/restart.js';
import { loadPaint } from './paint.js';
import { render } from './render.js';
import { readCheckpoint, undoNow } from './rollback.js';
import { planRestart } from './service/restart.js';

export interface CommonOptions extends RunFlags {
  jiraDir: string;
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
  /** duo-twofactor add-on jars in $JIRA_HOME/plugins/installed-plugins (`dir`). */
  addon?: { dir: string; added: string[]; replaced: string[]; removed: string[] };
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

export interface Session { paths: JiraPaths; state: StatePaths; recovered?: string; unrepaired?: string; release(): Promise<void> }

/** Check the layout, and for a real run take the lock and repair an interrupted earlier run first. */
export async function openSession(opts: CommonOptions, command: string, ctx: Ctx): Promise<Session> {
  // Absolute: the paths go into the checkpoint manifest and journal, which a later run (rollback, the repair
  // of an interrupted run) may read from another working directory.
  const paths = jiraPaths(resolve(ctx.cwd, opts.jiraDir));
  await checkLayout(paths);
  const state = statePaths(paths.root, ctx.env);
  if (opts.dryRun) {
    // A plan computed from half-changed files would show the wrong change: repair first, then look.
    if (await hasInterrupted(state)) {
      throw new EnvironmentError(
        `An earlier duo-jira run on ${paths.root} was interrupted and left files half-changed, so a dry-run now would plan against the wrong files. Nothing was changed.`,
        `Run \`duo-jira repair -d ${paths.root}\` (it restores every file from that run's checkpoint and changes nothing else), then the dry-run again.`,
      );
    }
    return { paths, state, release: async () => {} };
  }
  await fs.mkdir(state.dir, { recursive: true, mode: 0o700 }).catch((e) => {
    throw new EnvironmentError(`Cannot create duo-jira's state folder ${state.dir}: ${(e as Error).message}`, 'Run as root (or set DUO_JIRA_STATE_DIR to a folder you can write).');
  });
  const lock = await acquireLock(state.lock, command, ctx.now());
  try {
    const rec = await recoverInterrupted(state);
    if (rec && !rec.restored) {
      const unrepaired = `an interrupted duo-jira run left its journal, but its checkpoint ${rec.checkpoint} has no readable manifest, so nothing could be restored: files it was changing may be half-changed (check with \`duo-jira doctor\`)`;
      return { paths, state, unrepaired, release: lock.release };
    }
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

export interface RunFlags {
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  /** --restart: restart Jira after applying, and undo the change when it does not come back. */
  restart?: boolean;
  /** --timeout (seconds) and --method, passed to the restart. */
  timeout?: number;
  method?: string;
  /** Test hooks for the restart (hermetic detection, fast polling). */
  restartHooks?: Pick<RestartJiraOptions, 'probes' | 'intervalMs' | 'stopTimeoutMs'>;
}

export interface ExecuteHooks {
  /** Runs right after the actions were applied (before any restart), e.g. rollback marking what it undid. */
  afterApply?: (result: ApplyResult) => Promise<void>;
}

/** Render or apply a Plan. Dry-run and apply see the very same Plan object. */
export async function executePlan(plan: Plan, session: Session, flags: RunFlags, ctx: Ctx, hooks: ExecuteHooks = {}): Promise<number> {
  await loadPaint(ctx.color && !flags.json);
  if (session.recovered) plan.notes.unshift(session.recovered);
  if (session.unrepaired) plan.warnings.unshift(session.unrepaired);
  // --restart is checked before anything is written: a Jira that cannot be restarted is an exit 3 up front.
  const restart = flags.restart ? await prepareRestart(session, flags) : undefined;
  if (plan.actions.length === 0) {
    if (restart) plan.notes.push('nothing changed, so Jira was not restarted (`duo-jira restart` restarts it anyway)');
    ctx.stdout.write(render.nothing(plan, flags, ctx));
    return 0;
  }
  if (flags.dryRun) {
    if (restart) {
      plan.notes.push(
        `--restart: would then restart Jira with ${restart.describe} and wait up to ${restart.timeout}s for RUNNING at ${restart.statusUrl}; ` +
          'if Jira does not come back, the change would be undone and Jira restarted again',
      );
    }
    ctx.stdout.write(await render.dryRun(plan, flags, ctx));
    return 0;
  }
  if (plan.needsConfirmation && !flags.yes) await confirm(plan, ctx);
  const denied = await canWrite([...new Set(plan.actions.map((a) => join(a.path, '..')))]);
  if (denied.length) throw new EnvironmentError(`No write permission for ${denied.join(', ')}. Nothing was changed.`, 'Run duo-jira as root (sudo) or as the owner of the Jira installation.');
  const result: ApplyResult = await applyActions(plan.actions, { state: session.state, command: plan.command, jiraDir: plan.jiraDir, now: ctx.now() });
  await hooks.afterApply?.(result);
  if (!restart) {
    ctx.stdout.write(render.applied(plan, result, flags, ctx));
    return 0;
  }
  if (!flags.json) ctx.stdout.write(render.applied(plan, result, flags, ctx));
  const outcome = await restartOrUndo(plan, session, result, flags, ctx);
  ctx.stdout.write(render.restarted(plan, result, outcome, flags, ctx));
  return 0;
}

interface PreparedRestart { describe: string; statusUrl: string; timeout: number }

async function prepareRestart(session: Session, flags: RunFlags): Promise<PreparedRestart> {
  const timeout = checkTimeout(flags.timeout);
  let p;
  try {
    p = await planRestart(session.paths, { ...(flags.method ? { method: flags.method } : {}), ...(flags.restartHooks?.probes ? { probes: flags.restartHooks.probes } : {}) });
  } catch (e) {
    if (e instanceof EnvironmentError) throw new EnvironmentError(`--restart: ${e.message} Nothing was changed.`, e.hint ? `${e.hint} Or leave out --restart and restart Jira yourself.` : undefined);
    throw e;
  }
  return { describe: describeMethod(p.method, session.paths.root), statusUrl: p.statusUrl, timeout };
}

/** What --restart reports on success. */
export interface RestartOutcome { method: string; state: string; statusUrl: string; durationMs: number }

/**
 * Restart Jira after an applied change. When it does not come back RUNNING (or FIRST_RUN) with the new
 * configuration: undo the change from its checkpoint, restart again, and throw RolledBackError (exit 5)
 * saying what happened, what the log said, and in which state the files and Jira are now.
 */
async function restartOrUndo(plan: Plan, session: Session, applied: ApplyResult, flags: RunFlags, ctx: Ctx): Promise<RestartOutcome> {
  const opts = { ...flags.restartHooks, ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}), ...(flags.method ? { method: flags.method } : {}), json: !!flags.json };
  let first: unknown;
  try {
    const r = await restartJira(session.paths, opts, ctx);
    return { method: r.method.kind, state: r.health?.last.state ?? 'unknown', statusUrl: r.statusUrl, durationMs: r.durationMs };
  } catch (e) {
    first = e;
  }
  const what = `duo-jira ${plan.command}`;
  const firstMsg = (first as Error).message;
  const phase = (first as { details?: { phase?: string } }).details?.phase;
  if (!flags.json) ctx.stdout.write(render.loud(`✘ Jira did not come back with the new configuration after ${what}. Undoing the change (${applied.checkpoint}) …\n`, ctx));

  const target = await readCheckpoint(applied.checkpoint);
  let undo: ApplyResult;
  try {
    if (!target) throw new Error(`the manifest in ${applied.checkpoint} cannot be read`);
    undo = await undoNow(target, { state: session.state, jiraDir: plan.jiraDir, now: ctx.now(), reason: `Jira did not come back after ${what} --restart` });
  } catch (e) {
    throw new InternalError(
      `Jira did not come back after ${what}:\n${indent(firstMsg)}\n` +
        `Undoing the change failed too (${(e as Error).message}). The files still hold the NEW configuration written by ${what} (checkpoint ${applied.checkpoint}); Jira is not running with it.\n` +
        `Get Jira back: \`duo-jira disable -d ${plan.jiraDir}\` (takes Duo out of web.xml) then \`duo-jira restart -d ${plan.jiraDir}\`; the files as they were before are in ${applied.checkpoint}/files.`,
    );
  }
  const restored = `Every file was restored to how it was before ${what} (from checkpoint ${applied.checkpoint}; the undo itself is checkpoint ${undo.checkpoint}).`;
  if (phase === 'stop') {
    throw new RolledBackError(
      `Jira did not stop after ${what}, so it never ran with the new configuration:\n${indent(firstMsg)}\n${restored} Jira was not restarted again: it is presumably still running with the previous configuration, which is what the files hold again.`,
      'Find out why Jira does not stop (or stop it yourself), then run the command again with --restart; a larger --timeout may help.',
    );
  }
  if (!flags.json) ctx.stdout.write(`Restarting Jira with the restored files …\n`);
  try {
    await restartJira(session.paths, opts, ctx);
  } catch (second) {
    throw new RolledBackError(
      `Jira did not come back RUNNING after ${what}:\n${indent(firstMsg)}\n${restored}\n` +
        `Restarting Jira with the restored files failed too:\n${indent((second as Error).message)}\n` +
        `The files are in their previous state (restored); Jira is NOT running.`,
      `The problem is not (only) the Duo change: start Jira once it is fixed (\`duo-jira restart -d ${plan.jiraDir}\`). The change that was undone can be re-applied with \`duo-jira rollback --checkpoint ${basename(undo.checkpoint)}\`.`,
    );
  }
  const duo = (first as { details?: { diagnosis?: { duoRelated?: boolean } } }).details?.diagnosis?.duoRelated;
  throw new RolledBackError(
    `Jira did not come back RUNNING with the new configuration after ${what}:\n${indent(firstMsg)}\n${restored} Jira was restarted with the previous configuration and is RUNNING again.`,
    duo
      ? 'The log points at the Duo filter: check the keys and jars (`duo-jira doctor`), then run the command again.'
      : 'Fix the cause shown in the log above (or raise --timeout if Jira is just slow to start), then run the command again.',
  );
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

async function confirm(plan: Plan, ctx: Ctx): Promise<void> {
  if (!interactive(ctx) || !ctx.prompts) {
    throw new UsageError(`This ${plan.command} changes an existing Duo setup and needs confirmation, but there is no terminal to ask on.`, 'Review it with --dry-run, then re-run with --yes.');
  }
  ctx.stderr.write(maskSecrets(render.summary(plan, ctx), plan.secrets));
  if (!(await ctx.prompts.confirm(`Apply these changes to ${plan.jiraDir}?`))) throw new UsageError('Cancelled; nothing was changed.');
}
