// All of doctor's I/O, done once: stat and read the Jira tree, Jira home, duo-jira's state dir, and (unless
// offline) ask Duo. Reads only: nothing here writes, locks or repairs anything.
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { familyOf, OFFICIAL, sha256 } from '../artifacts.js';
import type { Ctx } from '../context.js';
import { validateCredentials } from '../credentials.js';
import { preflight } from '../duo-api/client.js';
import { UnsafeEditError } from '../errors.js';
import { statePaths } from '../fs/state.js';
import { listCheckpoints } from '../fs/transaction.js';
import { DEFAULT_JIRA_DIR, jiraPaths } from '../jira/layout.js';
import { parseJiraUser } from '../jira/user-sh.js';
import { detectVersion } from '../jira/version.js';
import { addonsRoot, findJiraHome } from '../jira-home.js';
import type { DetectProbes } from '../service/detect.js';
import { readWebXml } from '../webxml/index.js';
import { childText, lineOf } from '../webxml/parse.js';
import { nextElementSibling } from '../webxml/splice.js';
import type {
  AddonJarFact,
  CheckpointFact,
  DoctorFacts,
  FileMeta,
  HomeFact,
  JiraUserFact,
  JournalFact,
  LibJarFact,
  OnlineFact,
  ParsedWebXml,
  SecretFileFact,
  WebXmlFact,
} from './types.js';

export interface GatherOptions {
  jiraDir: string;
  offline?: boolean;
  jiraHome?: string;
  /** Test-only: where to reach Duo and which CA to trust in addition to the system roots. */
  duo?: { origin?: string; ca?: string | Buffer };
  timeoutMs?: number;
  /** uid and group ids of a user name; default asks the system (`id`, so NSS/LDAP users work). */
  lookupUser?: (name: string) => Promise<{ uid: number; gids: number[] } | undefined>;
  /** Test-only: systemd probes for finding a JIRA_HOME set by the unit that runs Jira. */
  serviceProbes?: Partial<DetectProbes>;
}

/** UPM keeps uploaded add-ons as plugin_<n>_<original name>.jar; a hand copy keeps its own name. */
export const ADDON_IN_PLUGINS = /(?:^|_)duo-twofactor-(\d[\w.-]*)\.jar$/;
const SKEY_PARAM = /<(?:[\w-]+:)?param-name>\s*skey\s*<\/(?:[\w-]+:)?param-name>/;
const MAX_COPY_BYTES = 16 * 1024 * 1024;

export async function gather(opts: GatherOptions, ctx: Ctx): Promise<DoctorFacts> {
  const jiraDir = resolve(ctx.cwd, opts.jiraDir);
  const paths = jiraPaths(jiraDir);
  const layout = {
    root: await isDir(paths.root),
    webapp: await isDir(paths.webapp),
    webInf: await isDir(paths.webInf),
    lib: await isDir(paths.lib),
    webXml: await isFile(paths.webXml),
  };

  const libFiles = await readdirOr(paths.lib);
  const version = detectVersion({ libFiles, pomProperties: await pomProperties(paths.webapp) });
  const user = await jiraUser(paths.userSh, opts.lookupUser ?? lookupUserWithId);
  const home = await jiraHome(opts, ctx, paths);
  const jars = await libJars(paths.lib, libFiles);
  const webXml = await webXmlFact(paths.webXml);
  const skey = webXml.parsed?.filter?.params.filter(([n]) => n === 'skey').at(-1)?.[1];
  const secretFiles = await secretFilesFact(paths.webInf, webXml, skey);

  const state = statePaths(jiraDir, ctx.env);
  const manifests = await listCheckpoints(state);
  const checkpoints: CheckpointFact[] = [];
  for (const m of manifests) {
    const backups = [];
    for (const e of m.entries) {
      if (!e.backup) continue;
      const path = join(m.dir, e.backup);
      backups.push({ path, role: e.role, meta: await meta(path) });
    }
    checkpoints.push({ id: m.id, dir: m.dir, createdAt: m.createdAt, command: m.command, status: m.status, backups });
  }
  const journal = await journalFact(state.journal, state.lock, manifests);

  const offline = opts.offline === true;
  const online = await onlineFact(offline, webXml, opts, ctx);

  return {
    jiraDir,
    paths,
    dirArg: jiraDir === DEFAULT_JIRA_DIR ? '' : jiraDir,
    layout,
    version,
    user,
    home,
    libDir: await meta(paths.lib),
    jars,
    webXml,
    secretFiles,
    stateDir: state.dir,
    checkpoints,
    journal,
    offline,
    online,
  };
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isFile(), () => false);
}

async function readdirOr(p: string): Promise<string[]> {
  return fs.readdir(p).then((n) => n.sort(), () => []);
}

async function meta(p: string): Promise<FileMeta | undefined> {
  try {
    const s = await fs.stat(p);
    return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}` : err.message ?? String(e);
}

async function pomProperties(webapp: string): Promise<string[]> {
  const base = join(webapp, 'META-INF', 'maven', 'com.atlassian.jira');
  const out: string[] = [];
  for (const artifact of await readdirOr(base)) {
    const text = await fs.readFile(join(base, artifact, 'pom.properties'), 'utf8').catch(() => undefined);
    if (text !== undefined) out.push(text);
  }
  return out;
}

async function lookupUserWithId(name: string): Promise<{ uid: number; gids: number[] } | undefined> {
  const { execa } = await import('execa');
  const opts = { reject: false, timeout: 5_000, env: { LC_ALL: 'C' } } as const;
  const u = await execa('id', ['-u', '--', name], opts).catch(() => undefined);
  const g = await execa('id', ['-G', '--', name], opts).catch(() => undefined);
  if (!u || !g || u.exitCode !== 0 || g.exitCode !== 0) return undefined;
  const uid = Number(String(u.stdout).trim());
  const gids = String(g.stdout).trim().split(/\s+/).map(Number);
  if (!Number.isInteger(uid) || gids.some((x) => !Number.isInteger(x))) return undefined;
  return { uid, gids };
}

async function jiraUser(userSh: string, lookup: NonNullable<GatherOptions['lookupUser']>): Promise<JiraUserFact> {
  const text = await fs.readFile(userSh, 'utf8').catch(() => undefined);
  if (text === undefined) return { userShFound: false };
  const name = parseJiraUser(text);
  if (!name) return { userShFound: true };
  try {
    const ids = await lookup(name);
    return ids ? { name, userShFound: true, ids } : { name, userShFound: true, lookupError: `no user "${name}" on this machine` };
  } catch (e) {
    return { name, userShFound: true, lookupError: errText(e) };
  }
}

async function jiraHome(opts: GatherOptions, ctx: Ctx, paths: ReturnType<typeof jiraPaths>): Promise<HomeFact> {
  let fact: HomeFact;
  if (opts.jiraHome) {
    fact = { path: resolve(ctx.cwd, opts.jiraHome), source: 'option', warnings: [], readable: false };
  } else {
    const r = await findJiraHome(paths, ctx.env, opts.serviceProbes);
    fact = { ...(r.home ? { path: r.home } : {}), source: r.source, ...(r.unit ? { unit: r.unit } : {}), warnings: r.warnings, readable: false };
  }
  if (!fact.path) return fact;
  try {
    await fs.readdir(fact.path);
    fact.readable = true;
  } catch (e) {
    fact.error = errText(e);
    return fact;
  }
  const addons = await addonsRoot(fact.path);
  if (addons.warning) fact.warnings.push(addons.warning);
  fact.pluginsDir = join(addons.root, 'plugins', 'installed-plugins');
  try {
    const names = (await fs.readdir(fact.pluginsDir)).sort();
    const addons: AddonJarFact[] = [];
    for (const name of names) {
      const m = ADDON_IN_PLUGINS.exec(name);
      if (!m) continue;
      const bytes = await fs.readFile(join(fact.pluginsDir, name)).catch(() => undefined);
      const hash = bytes ? sha256(bytes) : undefined;
      addons.push({ name, version: m[1]!, ...(hash ? { sha256: hash, official: OFFICIAL[hash] } : {}) });
    }
    fact.plugins = { readable: true, missing: false, addons };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fact.plugins = code === 'ENOENT' ? { readable: true, missing: true, addons: [] } : { readable: false, missing: false, error: errText(e), addons: [] };
  }
  return fact;
}

async function libJars(lib: string, names: string[]): Promise<LibJarFact[]> {
  const out: LibJarFact[] = [];
  for (const name of names) {
    const fam = familyOf(name);
    if (!fam) continue;
    const path = join(lib, name);
    const jar: LibJarFact = { name, path, ...fam };
    const m = await meta(path);
    if (m) jar.meta = m;
    try {
      const hash = sha256(await fs.readFile(path));
      jar.sha256 = hash;
      const official = OFFICIAL[hash];
      if (official) jar.official = official;
    } catch (e) {
      jar.readError = errText(e);
    }
    out.push(jar);
  }
  return out;
}

async function webXmlFact(path: string): Promise<WebXmlFact> {
  const fact: WebXmlFact = { path, exists: false };
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      fact.exists = true;
      fact.readError = errText(e);
    }
    return fact;
  }
  fact.exists = true;
  const m = await meta(path);
  if (m) fact.meta = m;
  try {
    const { facts } = readWebXml(bytes);
    const { doc, security, duo } = facts;
    const { root, source } = doc;
    const parsed: ParsedWebXml = {
      securityFilterLine: lineOf(source, security.filter.el.start),
      securityMappingLine: lineOf(source, security.mapping.el.start),
      disabledMappings: duo.disabled.map((d) => lineOf(source, d.comment.start)),
    };
    if (duo.filter) {
      const next = nextElementSibling(root, security.filter.el);
      const afterSecurity = next && next.local === 'filter' ? childText(next, 'filter-name') : next?.local;
      parsed.filter = {
        name: duo.filter.name,
        className: duo.filter.className,
        params: duo.filter.params,
        line: lineOf(source, duo.filter.el.start),
        rightAfterSecurity: next === duo.filter.el,
        ...(afterSecurity !== undefined ? { afterSecurity } : {}),
      };
    }
    if (duo.mapping) {
      parsed.mapping = {
        line: lineOf(source, duo.mapping.el.start),
        rightAfterSecurity: nextElementSibling(root, security.mapping.el) === duo.mapping.el,
        urlPatterns: duo.mapping.urlPatterns,
        dispatchers: duo.mapping.dispatchers,
      };
    }
    fact.parsed = parsed;
  } catch (e) {
    const err = e as Error;
    fact.unsafe = { message: err.message, ...(e instanceof UnsafeEditError && e.hint ? { hint: e.hint } : {}) };
  }
  return fact;
}

/** The live web.xml and any copy of it in WEB-INF (web.xml.bak, web.xml~, web.xml.orig …) that holds a Duo skey. */
async function secretFilesFact(webInf: string, webXml: WebXmlFact, skey: string | undefined): Promise<SecretFileFact[]> {
  const out: SecretFileFact[] = [];
  const holds = (text: string) => (skey !== undefined && skey.length >= 8 && text.includes(skey)) || (SKEY_PARAM.test(text) && text.includes('DuoAuthFilter'));
  if (webXml.meta && skey) out.push({ path: webXml.path, meta: webXml.meta, live: true });
  else if (webXml.meta && !webXml.parsed) {
    // The engine refused the file (duplicates, malformed …): it can still hold a skey.
    const text = await fs.readFile(webXml.path).then((b) => b.toString('latin1'), () => '');
    if (holds(text)) out.push({ path: webXml.path, meta: webXml.meta, live: true });
  }
  for (const name of await readdirOr(webInf)) {
    if (name === 'web.xml' || !/^\.?web\.xml./.test(name)) continue;
    const path = join(webInf, name);
    try {
      const st = await fs.stat(path);
      if (!st.isFile() || st.size > MAX_COPY_BYTES) continue;
      const text = (await fs.readFile(path)).toString('latin1');
      if (holds(text)) {
        out.push({ path, meta: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }, live: false });
      }
    } catch {
      // unreadable to us: nothing to report about its content
    }
  }
  return out;
}

interface LockInfo { pid: number; host: string; startedAt: string; command: string }

async function journalFact(journalPath: string, lockPath: string, manifests: Array<{ id: string; command: string; dir: string }>): Promise<JournalFact> {
  let raw: string;
  try {
    raw = await fs.readFile(journalPath, 'utf8');
  } catch {
    return { path: journalPath, interrupted: false };
  }
  const fact: JournalFact = { path: journalPath, interrupted: true };
  try {
    const j = JSON.parse(raw) as { checkpoint?: string; startedAt?: string };
    const m = manifests.find((x) => x.id === j.checkpoint);
    if (m) {
      fact.checkpoint = m.dir;
      fact.command = m.command;
    } else if (j.checkpoint) fact.checkpoint = j.checkpoint;
    if (j.startedAt) fact.startedAt = j.startedAt;
  } catch {
    // a half-written journal is still a journal
  }
  try {
    const lock = JSON.parse(await fs.readFile(lockPath, 'utf8')) as LockInfo;
    if (lockAlive(lock)) fact.inProgress = { pid: lock.pid, command: lock.command, startedAt: lock.startedAt };
  } catch {
    // no lock or unreadable: nobody is working on it
  }
  return fact;
}

function lockAlive(l: LockInfo): boolean {
  if (typeof l.pid !== 'number') return false;
  if (l.host !== hostname()) return true; // another host on a shared filesystem: cannot tell, assume alive (as lock.ts does)
  try {
    process.kill(l.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function onlineFact(offline: boolean, webXml: WebXmlFact, opts: GatherOptions, ctx: Ctx): Promise<OnlineFact> {
  if (offline) return { ran: false, reason: 'skipped (--offline)' };
  const filter = webXml.parsed?.filter;
  if (!filter) {
    return { ran: false, reason: webXml.parsed ? 'Duo is not configured in web.xml' : 'web.xml could not be read' };
  }
  const get = (n: string) => filter.params.filter(([k]) => k === n).at(-1)?.[1];
  const ikey = get('ikey');
  const skey = get('skey');
  const host = get('host');
  if (!ikey || !skey || !host) return { ran: false, reason: 'ikey, skey or host is missing in web.xml (see webxml.params)' };
  if (validateCredentials({ ikey, skey, host }).errors.length > 0) {
    return { ran: false, reason: 'the keys in web.xml are not valid (see webxml.params)' };
  }
  try {
    const result = await preflight(
      { ikey, skey, host },
      {
        env: ctx.env,
        now: ctx.now,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.duo?.origin !== undefined ? { origin: opts.duo.origin } : {}),
        ...(opts.duo?.ca !== undefined ? { ca: opts.duo.ca } : {}),
      },
    );
    return { ran: true, result };
  } catch (e) {
    // preflight returns every network outcome; a throw here is a bad host string or similar.
    return { ran: false, reason: `could not ask Duo: ${(e as Error).message.split(skey).join('[redacted]')}` };
  }
}
