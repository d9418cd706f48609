// duo-jira install: put the duoauth filter + mapping right after Seraph's security filter and the three
// Duo jars into WEB-INF/lib, as one verified, reversible transaction.
import { quickFs as fs } from '../fs/quick.js';
import { join } from 'node:path';
import { planLibJars, sha256, type Jar } from '../artifacts.js';
import type { Ctx } from '../context.js';
import { generateAkey, mask, validateCredentials } from '../credentials.js';
import { resolveKeyInputs } from '../credentials-input.js';
import { addAddonInstall, addRestartAdvice, locateAddonDir, requirePluginsDir } from '../addon.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { statOwnership } from '../fs/atomic.js';
import { readRelease } from '../fs/read-artifacts.js';
import type { Action } from '../fs/transaction.js';
import { changeWebXml, readWebXml } from '../webxml/index.js';
import { emptyPlan, executePlan, jiraVersionWarning, listLib, openSession, type CommonOptions, type Plan, type Session } from '../workflow.js';
import { preflight as check, preflightError } from '../duo-api/client.js';

export interface InstallOptions extends CommonOptions {
  ikey?: string;
  skey?: string;
  host?: string;
  skeyFile?: string;
  akey?: string;
  rotateAkey?: boolean;
  artifacts?: string;
  failOpen?: boolean;
  failClosed?: boolean;
  loginUrl?: string;
  unprotectedDirs?: string;
  bypassApis?: boolean;
  offline?: boolean;
  /** --with-addon: also place the duo-twofactor add-on into $JIRA_HOME/plugins/installed-plugins. */
  withAddon?: boolean;
  /** --jira-home: where the add-on goes (default: found from env, bin/setenv.sh, jira-application.properties). */
  jiraHome?: string;
  /** Test seam for the credential pre-flight: where "Duo" is and which CA to trust. */
  duo?: { origin?: string; ca?: string | Buffer };
}

export async function run(opts: InstallOptions, ctx: Ctx): Promise<number> {
  checkFlags(opts);
  const session = await openSession(opts, 'install', ctx);
  try {
    const plan = await planInstall(opts, session, ctx);
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}

function checkFlags(o: InstallOptions): void {
  if (o.failOpen && o.failClosed) throw new UsageError('--fail-open and --fail-closed contradict each other; pick one.');
  if (o.akey && o.rotateAkey) throw new UsageError('--akey and --rotate-akey contradict each other; pick one.');
  if (o.loginUrl !== undefined && !o.loginUrl.startsWith('/')) throw new UsageError(`--login-url must be a path starting with "/" (got "${o.loginUrl}"), e.g. /plugins/servlet/duologin.`);
  const dirs = splitDirs(o.unprotectedDirs);
  const bad = dirs.filter((d) => !d.startsWith('/'));
  if (bad.length) throw new UsageError(`--unprotected-dirs entries must be paths starting with "/" (got ${bad.join(', ')}).`);
  // The filter matches entries as prefixes: an empty entry or "/" would exempt every URL from Duo.
  if (o.unprotectedDirs !== undefined && (dirs.length === 0 || dirs.includes('/'))) {
    throw new UsageError('--unprotected-dirs must list specific path prefixes; an empty list or "/" would switch Duo off for every page.', 'Give prefixes such as /rest/api/2/ or leave the flag out.');
  }
}

function splitDirs(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(/[\s,]+/).filter(Boolean);
}

export async function planInstall(opts: InstallOptions, session: Session, ctx: Ctx): Promise<Plan> {
  const { paths } = session;
  const plan = emptyPlan('install', paths.root);
  const file = readWebXml(await fs.readFile(paths.webXml));
  const existing = Object.fromEntries(file.facts.duo.filter?.params ?? []);
  const keys = await resolveKeyInputs(opts, existing, ctx);
  if (opts.akey !== undefined) ctx.stderr.write('hint: an application key given with --akey stays in your shell history and is visible in the process list; leave --akey out to keep the installed one (or have one generated).\n');
  const akey = opts.akey ?? (opts.rotateAkey ? undefined : existing.akey) ?? generateAkey();
  const creds = { ikey: keys.ikey!, skey: keys.skey!, host: keys.host!, akey };
  const v = validateCredentials(creds);
  if (v.errors.length) {
    throw new UsageError(`Invalid Duo settings:\n  - ${v.errors.map((e) => e.message).join('\n  - ')}\nNothing was changed.`, 'Copy the values from the Duo Admin Panel: Applications → your Jira application (integration key, secret key, API hostname).');
  }
  plan.secrets.push(creds.skey, akey, existing.skey ?? '', existing.akey ?? '');
  plan.warnings.push(...keys.warnings, ...v.warnings.map((w) => w.message));

  const release = await readRelease(opts.artifacts, ctx.cwd);
  plan.warnings.push(...release.warnings, ...release.ignored.map((n) => `ignored unsafe zip entry ${n}`));
  const version = await jiraVersionWarning(paths);
  if (version.warning) plan.warnings.push(version.warning);
  if (opts.withAddon) {
    if (!release.addon) {
      throw new EnvironmentError(`--with-addon: the Duo release at ${release.source} has no duo-twofactor-<version>.jar. Nothing was changed.`, 'Use the complete duo_jira release (its etc/ folder holds the add-on), or leave out --with-addon.');
    }
    const loc = await locateAddonDir(paths, opts.jiraHome, ctx);
    plan.warnings.push(...loc.warnings);
    await addAddonInstall(plan, paths, requirePluginsDir(loc, 'install the duo-twofactor add-on'), release.addon);
    await addRestartAdvice(plan, paths, !!opts.restart);
  }

  await preflight(creds, opts, plan, ctx);

  const set: Record<string, string | undefined> = { ...creds };
  if (opts.failOpen) set['fail.Open'] = 'true';
  if (opts.failClosed) set['fail.Open'] = 'false';
  if (opts.loginUrl !== undefined) set['login.url'] = opts.loginUrl;
  if (opts.unprotectedDirs !== undefined) set['unprotected.dirs'] = splitDirs(opts.unprotectedDirs).join(' ');
  if (opts.bypassApis) set['bypass.APIs'] = 'true';
  const result = changeWebXml(file, { kind: 'install', set });
  const lib = await listLib(paths.lib);
  const jars = planLibJars(lib, release.libJars);
  plan.needsConfirmation ||= Boolean(file.facts.duo.filter || file.facts.duo.mapping || lib.length);

  plan.actions.push(...(await jarActions(paths.lib, jars, lib)));
  plan.jars = { added: jars.add.map((j) => j.name), replaced: jars.replace.map((j) => j.name), removed: jars.remove };
  if (jars.add.length || jars.replace.length || jars.remove.length) plan.changes.push(`WEB-INF/lib: ${describeJars(plan.jars)}`);
  if (result.changed) {
    plan.actions.push({ kind: 'write', path: paths.webXml, content: result.after, expect: { sha256: sha256(file.bytes) }, role: 'web.xml' });
    plan.webxml = { path: paths.webXml, before: file.bytes, after: result.after };
    plan.changes.push(`web.xml: ${describeWebXml(existing, result.intent.state === 'installed' ? result.intent.params : [], !!file.facts.duo.filter)}`);
    await secretHygiene(paths.webXml, plan);
  }
  plan.notes.push(...result.notes, `ikey ${creds.ikey}, skey ${mask(creds.skey)}, akey ${mask(akey)}${existing.akey && akey === existing.akey ? ' (kept)' : ''}, host ${creds.host}`);
  if (!opts.withAddon) {
    plan.nextSteps.push(
      release.addon
        ? `Install the Duo add-on: \`duo-jira addon install -d ${paths.root}${opts.artifacts ? ` --artifacts ${release.source}` : ''}\` (or Jira administration → Manage apps → Upload app → ${release.base.endsWith('.zip') ? `${release.addon.name} from ${release.base}` : join(release.base, release.addon.name)})`
        : 'Install the duo-twofactor add-on from the Duo release (Jira administration → Manage apps → Upload app).',
    );
  }
  plan.nextSteps.push(
    opts.restart ? 'Log in to test: Duo should prompt after the password.' : 'Restart Jira (`duo-jira restart`, or add --restart), then log in to test: Duo should prompt after the password.',
    'Locked out? `duo-jira disable --restart` turns Duo off again.',
  );
  return plan;
}

/** web.xml will hold the skey; say so when other local users can read it (doctor prints the exact fix). */
async function secretHygiene(webXml: string, plan: Plan): Promise<void> {
  const own = await statOwnership(webXml);
  if (own && own.mode & 0o004) plan.warnings.push(`web.xml (mode ${own.mode.toString(8).padStart(4, '0')}) holds the secret key and is world-readable; \`duo-jira doctor\` shows how to restrict it without locking Jira out`);
}

async function preflight(creds: { ikey: string; skey: string; host: string }, opts: InstallOptions, plan: Plan, ctx: Ctx): Promise<void> {
  if (opts.offline) {
    plan.warnings.push('credential pre-flight skipped (--offline): the keys were not checked with Duo; run `duo-jira doctor` when the network is available');
    return;
  }
  const r = await check(creds, { ...opts.duo, env: ctx.env, now: ctx.now });
  const err = preflightError(r);
  if (err) throw err;
  plan.notes.push(`Duo accepted the keys (${creds.host})`);
}

async function jarActions(lib: string, jars: ReturnType<typeof planLibJars>, current: Array<{ name: string; sha256: string }>): Promise<Action[]> {
  const like = await siblingOwnership(lib);
  const hashOf = (n: string) => current.find((f) => f.name === n)!.sha256;
  return [
    ...jars.add.map((j: Jar): Action => ({ kind: 'write', path: join(lib, j.name), content: j.bytes, expect: 'absent', like, role: 'jar' })),
    ...jars.replace.map((j: Jar): Action => ({ kind: 'write', path: join(lib, j.name), content: j.bytes, expect: { sha256: hashOf(j.name) }, role: 'jar' })),
    ...jars.remove.map((n): Action => ({ kind: 'remove', path: join(lib, n), expect: { sha256: hashOf(n) }, role: 'jar' })),
  ];
}

/** New jars get the owner and mode of the jars already in WEB-INF/lib, so the Jira user can read them. */
async function siblingOwnership(lib: string) {
  const names = (await fs.readdir(lib)).filter((n) => n.endsWith('.jar'));
  const own = names.length ? await statOwnership(join(lib, names[0]!)) : undefined;
  const dir = (await statOwnership(lib))!;
  return own ?? { mode: 0o644, uid: dir.uid, gid: dir.gid };
}

function describeJars(j: Plan['jars']): string {
  return [j.added.length && `add ${j.added.join(', ')}`, j.replaced.length && `replace ${j.replaced.join(', ')}`, j.removed.length && `remove ${j.removed.join(', ')}`].filter(Boolean).join('; ');
}

function describeWebXml(before: Record<string, string>, after: Array<[string, string]>, had: boolean): string {
  if (!had) return 'add the duoauth filter and mapping right after the security filter and mapping';
  const changed = after.filter(([n, v]) => before[n] !== v).map(([n]) => n);
  return changed.length ? `update duoauth init-params ${changed.join(', ')}` : 'put the duoauth filter/mapping back in place';
}
