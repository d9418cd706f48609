// The duo-twofactor Jira add-on (the Duo prompt page, /plugins/servlet/duologin): where it goes
// ($JIRA_HOME/plugins/installed-plugins, the shared home on Data Center), who owns it (the Jira user), and
// the write/remove actions that put it there or take it away — added to the same Plan, and therefore the same
// transaction, journal and checkpoint, as the web.xml and WEB-INF/lib changes. Jira loads it on its next start.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256, type Jar } from './artifacts.js';
import type { Ctx } from './context.js';
import { EnvironmentError } from './errors.js';
import { statOwnership, type Ownership } from './fs/atomic.js';
import type { Action } from './fs/transaction.js';
import { describeHomeSource } from './jira/home.js';
import { addonsRoot, findJiraHome } from './jira-home.js';
import type { JiraPaths } from './jira/layout.js';
import { parseJiraUser } from './jira/user-sh.js';
import type { Plan } from './workflow.js';
import { parseServerXml } from './jira/server-xml.js';
import type { DetectProbes } from './service/detect.js';
import { probeStatus } from './service/health.js';

/** The add-on as copied by hand (duo-twofactor-1.4.3.jar) or as UPM stores an upload (plugin_123_duo-twofactor-1.4.3.jar). */
export const ADDON_FILE = /^(?:plugin_\d+_)?duo-twofactor-(\d[\w.-]*)\.jar$/;

export interface AddonLocation {
  /** $JIRA_HOME, when found. */
  home?: string;
  source: 'option' | 'env' | 'setenv.sh' | 'systemd' | 'jira-application.properties' | 'none';
  /** The systemd unit whose environment set it (source 'systemd'). */
  unit?: string;
  /** <home or shared home>/plugins/installed-plugins, when the home exists. */
  pluginsDir?: string;
  /** Why there is no usable pluginsDir (for messages). */
  problem?: string;
  warnings: string[];
}

/** Find $JIRA_HOME (--jira-home, else env / bin/setenv.sh / systemd unit / jira-application.properties) and its installed-plugins folder. */
export async function locateAddonDir(paths: JiraPaths, jiraHome: string | undefined, ctx: Ctx, serviceProbes?: Partial<DetectProbes>): Promise<AddonLocation> {
  let loc: AddonLocation;
  if (jiraHome) loc = { home: resolve(ctx.cwd, jiraHome), source: 'option', warnings: [] };
  else {
    const r = await findJiraHome(paths, ctx.env, serviceProbes);
    loc = { ...(r.home ? { home: r.home } : {}), source: r.source, ...(r.unit ? { unit: r.unit } : {}), warnings: r.source === 'none' ? [] : r.warnings };
    if (!r.home) {
      loc.problem = 'the Jira home was not found: not in the JIRA_HOME environment variable, bin/setenv.sh, the systemd unit running this install or jira-application.properties (jira.home)';
      return loc;
    }
  }
  const from = loc.source === 'option' ? '--jira-home' : `from ${describeHomeSource(loc)}`;
  const st = await fs.stat(loc.home!).catch(() => undefined);
  if (!st?.isDirectory()) {
    loc.problem = `the Jira home ${loc.home} (${from}) does not exist or is not a directory`;
    return loc;
  }
  const { root, warning } = await addonsRoot(loc.home!);
  if (warning) loc.warnings.push(warning);
  const dir = join(root, 'plugins', 'installed-plugins');
  const d = await fs.stat(dir).catch(() => undefined);
  if (!d?.isDirectory()) {
    loc.problem = `${dir} does not exist (Jira home ${loc.home}, ${from}); Jira creates it the first time it starts`;
    return loc;
  }
  loc.pluginsDir = dir;
  return loc;
}

/** The installed-plugins folder, or exit 3 saying why there is none and what to do. */
export function requirePluginsDir(loc: AddonLocation, what: string): string {
  if (loc.pluginsDir) return loc.pluginsDir;
  throw new EnvironmentError(
    `Cannot ${what}: ${loc.problem ?? 'the Jira home is unknown'}. Nothing was changed.`,
    loc.home && loc.problem?.includes('installed-plugins')
      ? 'Start Jira once so it creates its home layout, or pass the right home with --jira-home <dir>.'
      : 'Pass the Jira home directory with --jira-home <dir> (the folder holding dbconfig.xml and plugins/).',
  );
}

export interface InstalledAddon { name: string; version: string; path: string; sha256: string }

export async function listAddons(pluginsDir: string): Promise<InstalledAddon[]> {
  const names = (await fs.readdir(pluginsDir)).filter((n) => ADDON_FILE.test(n)).sort();
  return Promise.all(names.map(async (name) => {
    const path = join(pluginsDir, name);
    return { name, version: ADDON_FILE.exec(name)![1]!, path, sha256: sha256(await fs.readFile(path)) };
  }));
}

/**
 * Who should own the add-on: the Jira user from bin/user.sh (Jira must be able to read and replace it),
 * else the owner of installed-plugins. Mode 0644 like the jars UPM writes.
 */
export async function addonOwnership(paths: JiraPaths, pluginsDir: string, lookup = lookupUser): Promise<{ own: Ownership; who: string; warning?: string }> {
  const dir = (await statOwnership(pluginsDir))!;
  const fallback = { own: { mode: 0o644, uid: dir.uid, gid: dir.gid }, who: `the owner of ${pluginsDir} (uid ${dir.uid})` };
  const text = await fs.readFile(paths.userSh, 'utf8').catch(() => undefined);
  const user = text === undefined ? undefined : parseJiraUser(text);
  if (!user) return fallback;
  const ids = await lookup(user);
  if (!ids) return { ...fallback, warning: `bin/user.sh names the Jira user "${user}", but there is no such user here; the add-on gets ${fallback.who} instead` };
  return { own: { mode: 0o644, uid: ids.uid, gid: ids.gid }, who: `${user} (from bin/user.sh)` };
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const { execa } = await import('execa');
  const opts = { reject: false, timeout: 5_000, env: { LC_ALL: 'C' }, stdin: 'ignore' } as const;
  const u = await execa('id', ['-u', '--', name], opts).catch(() => undefined);
  const g = await execa('id', ['-g', '--', name], opts).catch(() => undefined);
  if (!u || !g || u.exitCode !== 0 || g.exitCode !== 0) return undefined;
  const uid = Number(String(u.stdout).trim());
  const gid = Number(String(g.stdout).trim());
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

/** Add to `plan` what puts `jar` into installed-plugins and removes every other duo-twofactor jar there. */
export async function addAddonInstall(plan: Plan, paths: JiraPaths, pluginsDir: string, jar: Jar): Promise<void> {
  const present = await listAddons(pluginsDir);
  const same = present.find((a) => a.name === jar.name);
  const others = present.filter((a) => a.name !== jar.name);
  plan.addon ??= { dir: pluginsDir, added: [], replaced: [], removed: [] };
  if (same?.sha256 === jar.sha256 && others.length === 0) {
    plan.notes.push(`add-on ${jar.name} is already in ${pluginsDir}`);
    return;
  }
  if (same?.sha256 !== jar.sha256) {
    if (same) {
      plan.actions.push({ kind: 'write', path: same.path, content: jar.bytes, expect: { sha256: same.sha256 }, role: 'addon' });
      plan.addon.replaced.push(jar.name);
    } else {
      const owner = await addonOwnership(paths, pluginsDir);
      if (owner.warning) plan.warnings.push(owner.warning);
      plan.actions.push({ kind: 'write', path: join(pluginsDir, jar.name), content: jar.bytes, expect: 'absent', like: owner.own, role: 'addon' });
      plan.addon.added.push(jar.name);
      if (!owner.warning) plan.notes.push(`the add-on will be owned by ${owner.who}, mode 0644`);
    }
  }
  for (const o of others) {
    plan.actions.push({ kind: 'remove', path: o.path, expect: { sha256: o.sha256 }, role: 'addon' });
    plan.addon.removed.push(o.name);
  }
  if (same || others.length) plan.needsConfirmation = true;
  plan.changes.push(`${pluginsDir}: ${describe(plan.addon)}`);
}

/** Add to `plan` the removal of every duo-twofactor jar in installed-plugins. */
export async function addAddonRemoval(plan: Plan, pluginsDir: string): Promise<void> {
  const present = await listAddons(pluginsDir);
  if (!present.length) {
    plan.notes.push(`no duo-twofactor add-on in ${pluginsDir}`);
    return;
  }
  plan.addon ??= { dir: pluginsDir, added: [], replaced: [], removed: [] };
  for (const a of present) {
    plan.actions.push({ kind: 'remove', path: a.path, expect: { sha256: a.sha256 }, role: 'addon' });
    plan.addon.removed.push(a.name);
  }
  plan.needsConfirmation = true;
  plan.changes.push(`${pluginsDir}: ${describe(plan.addon)}`);
}

function describe(a: NonNullable<Plan['addon']>): string {
  return [a.added.length && `add ${a.added.join(', ')}`, a.replaced.length && `replace ${a.replaced.join(', ')}`, a.removed.length && `remove ${a.removed.join(', ')}`].filter(Boolean).join('; ');
}

/** Is this Jira up? /status from conf/server.xml, one quick probe; undefined when it cannot be told. */
export async function jiraRunning(paths: JiraPaths): Promise<{ running: boolean; state: string; statusUrl: string } | undefined> {
  let statusUrl: string;
  try {
    statusUrl = parseServerXml(await fs.readFile(paths.serverXml, 'utf8'), paths.serverXml).statusUrl;
  } catch {
    return undefined;
  }
  const p = await probeStatus(statusUrl, 3_000);
  return { running: p.state !== 'NO_ANSWER', state: p.state, statusUrl };
}

/** Tell the admin, loudly, that a running Jira only loads the add-on change when it restarts. */
export async function addRestartAdvice(plan: Plan, paths: JiraPaths, willRestart: boolean): Promise<void> {
  if (!plan.actions.some((a: Action) => a.role === 'addon')) return;
  if (willRestart) {
    plan.notes.push('Jira loads the add-on change when it starts again (--restart does that next)');
    return;
  }
  const up = await jiraRunning(paths);
  if (up?.running) {
    plan.warnings.push(`Jira is running (${up.state} at ${up.statusUrl}): it only picks up the add-on change when it restarts. Restart it: \`duo-jira restart -d ${paths.root}\` (or add --restart).`);
  } else {
    plan.notes.push(`Jira does not answer${up ? ` at ${up.statusUrl}` : ''}: it loads the add-on change the next time it starts`);
  }
}
