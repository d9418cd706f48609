// How is this Jira run? In order of preference (reference jira.md §2): a systemd unit, a SysV
// /etc/init.d/jira* script, or the install's own bin/stop-jira.sh + bin/start-jira.sh. A service is only
// used when its definition refers to *this* install dir, so a second Jira instance on the box is never
// restarted by mistake. Every probe is injectable so tests can run over temp trees.
import { constants } from 'node:fs';
import { quickFs } from '../fs/quick.js';

const { access, readdir, readFile, realpath, stat } = quickFs;
import { userInfo } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import type { ServiceEnvironment } from '../jira/home.js';
import type { JiraPaths } from '../jira/layout.js';
import { parseJiraUser } from '../jira/user-sh.js';
import { formatArgv } from './exec.js';

export const RESTART_KINDS = ['systemd', 'initd', 'scripts'] as const;
export type RestartKind = (typeof RESTART_KINDS)[number];

export interface RestartMethod {
  kind: RestartKind;
  /** argv arrays, run without a shell. */
  stop: string[];
  start: string[];
  /** One sentence: why this method was chosen. */
  why: string;
  /** Things found but not used (another instance's unit, …), for verbose/JSON output. */
  notes: string[];
  unit?: string;
  initScript?: string;
  /** Set when the scripts are run through runuser as the Jira user. */
  runAs?: string;
}

export interface DetectProbes {
  /** Where SysV init scripts live. */
  initDirs: string[];
  /** PATH lookup of an executable; undefined when absent. */
  which(cmd: string): Promise<string | undefined>;
  /** sd_booted(3): systemd is PID 1 iff /run/systemd/system is a directory. */
  systemdBooted(): Promise<boolean>;
  /** Run a read-only systemctl query. */
  systemctl(args: string[]): Promise<{ exitCode: number | undefined; stdout: string }>;
  isRoot: boolean;
  userName: string;
}

export interface DetectOptions {
  /** --method override. */
  method?: string;
  probes?: Partial<DetectProbes>;
}

export function defaultProbes(): DetectProbes {
  return {
    initDirs: ['/etc/init.d'],
    which,
    systemdBooted: async () => (await stat('/run/systemd/system').catch(() => undefined))?.isDirectory() ?? false,
    systemctl: async (args) => {
      const { execa } = await import('execa');
      // Read-only queries answer in milliseconds; a wedged systemd must not stall doctor or uninstall long.
      const r = await execa('systemctl', [...args, '--no-pager'], { stdin: 'ignore', reject: false, timeout: 5_000 });
      return { exitCode: r.exitCode, stdout: String(r.stdout) };
    },
    isRoot: process.getuid?.() === 0,
    userName: safeUserName(),
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

// Root's PATH may lack the sbin dirs under some sudo/cron setups; runuser lives there.
const EXTRA_BIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export async function which(cmd: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const d of dirs) {
    const p = join(d, cmd);
    if (await isExecutable(p)) return p;
  }
  return undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

interface Candidate {
  name: string;
  /** Unit text / script text. */
  text: string;
  refersToJira: boolean;
  /** A SysV-generated unit's script (SourcePath=). */
  source?: { path: string; text: string };
}

interface Survey {
  systemd: { probed: boolean; skipped?: string; units: Candidate[] };
  initd: { paths: string[]; scripts: Candidate[] };
  scripts: { stop: string; start: string; present: boolean };
}

export async function detectRestartMethod(paths: JiraPaths, opts: DetectOptions = {}): Promise<RestartMethod> {
  const probes = { ...defaultProbes(), ...opts.probes };
  const wanted = parseMethod(opts.method);
  const roots = await rootVariants(paths.root);
  const survey = await surveyAll(paths, probes, roots, wanted);
  const method = wanted ? await forced(wanted, paths, probes, survey) : await automatic(paths, probes, survey);
  if (!method) throw nothingFound(paths, survey, wanted);
  method.notes.push(...unusedNotes(survey, method, paths.root));
  return method;
}

function parseMethod(method: string | undefined): RestartKind | undefined {
  if (method === undefined || method === '' || method === 'auto') return undefined;
  if ((RESTART_KINDS as readonly string[]).includes(method)) return method as RestartKind;
  throw new UsageError(`Unknown --method "${method}".`, `Use one of: ${RESTART_KINDS.join(', ')} (or leave it out to detect).`);
}

async function surveyAll(paths: JiraPaths, probes: DetectProbes, roots: string[], wanted?: RestartKind): Promise<Survey> {
  const systemd = wanted && wanted !== 'systemd' ? { probed: false, skipped: 'not asked for', units: [] } : await surveySystemd(probes, roots);
  const initd = wanted && wanted !== 'initd' ? { paths: [], scripts: [] } : await surveyInitd(probes, roots);
  const present = (await isExecutable(paths.stopScript)) && (await isExecutable(paths.startScript));
  return { systemd, initd, scripts: { stop: paths.stopScript, start: paths.startScript, present } };
}

/**
 * A systemd that is running but does not answer must not read as "no Jira unit here": restart would
 * then start Jira from its scripts, outside the unit systemd still thinks it runs, and the Jira home
 * lookup would miss what the unit sets.
 */
async function ask(probes: DetectProbes, args: string[]): Promise<{ exitCode: number | undefined; stdout: string }> {
  const r = await probes.systemctl(args);
  if (r.exitCode !== undefined) return r;
  throw new EnvironmentError(
    `systemd is running but \`systemctl ${args.join(' ')}\` did not answer, so duo-jira cannot tell whether a systemd unit runs this Jira.`,
    'Check `systemctl status` (a wedged systemd needs attention anyway), or name the way explicitly: --method scripts|initd (restart) or --jira-home <dir> (add-on, doctor).',
  );
}

async function surveySystemd(probes: DetectProbes, roots: string[]): Promise<Survey['systemd']> {
  if (!(await probes.which('systemctl'))) return { probed: false, skipped: 'systemctl is not installed', units: [] };
  if (!(await probes.systemdBooted())) return { probed: false, skipped: 'systemd is not PID 1 on this machine', units: [] };
  const list = await ask(probes, ['list-unit-files', '*jira*', '--type=service', '--no-legend']);
  const names = [...new Set(list.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => /\.service$/.test(n)))];
  const units: Candidate[] = [];
  for (const name of names) {
    const text = (await ask(probes, ['cat', name])).stdout;
    // A SysV-generated unit only names its script (SourcePath=/etc/init.d/jira); look inside that too.
    const source = /^SourcePath=(.+)$/m.exec(text)?.[1]?.trim();
    const sourceText = source ? await readFile(source, 'utf8').catch(() => '') : '';
    units.push({ name, text, refersToJira: (await refersTo(text, roots)) || (await refersTo(sourceText, roots)), ...(source ? { source: { path: source, text: sourceText } } : {}) });
  }
  return { probed: true, units };
}

async function surveyInitd(probes: DetectProbes, roots: string[]): Promise<Survey['initd']> {
  const scripts: Candidate[] = [];
  for (const dir of probes.initDirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const e of entries.filter((n) => /^jira/i.test(n)).sort()) {
      const p = join(dir, e);
      if (!(await isExecutable(p))) continue;
      const text = await readFile(p, 'utf8').catch(() => '');
      scripts.push({ name: p, text, refersToJira: await refersTo(text, roots) });
    }
  }
  return { paths: probes.initDirs.map((d) => join(d, 'jira*')), scripts };
}

/** The install dir as given and as resolved, so a unit written against a symlink still matches. */
async function rootVariants(root: string): Promise<string[]> {
  const abs = resolve(root).replace(/\/+$/, '');
  const real = await realpath(abs).catch(() => abs);
  return [...new Set([abs, real])];
}

/** Does a unit/script mention this install dir, directly or through a path that resolves into it? */
async function refersTo(text: string, roots: string[]): Promise<boolean> {
  if (!text) return false;
  for (const r of roots) {
    if (new RegExp(`${escapeRe(r)}(?=[/"'\\s;:]|$)`, 'm').test(text)) return true;
  }
  for (const token of new Set(text.match(/\/[^\s"'=;:]+/g) ?? [])) {
    const real = await realpath(token).catch(() => undefined);
    if (real && roots.some((r) => real === r || real.startsWith(`${r}/`))) return true;
  }
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function automatic(paths: JiraPaths, probes: DetectProbes, s: Survey): Promise<RestartMethod | undefined> {
  const unit = pickUnit(s.systemd.units.filter((u) => u.refersToJira));
  if (unit) return needRoot(systemdMethod(unit, `systemd unit ${unit.name} runs ${paths.root}`), probes);
  const script = s.initd.scripts.find((c) => c.refersToJira);
  if (script) return needRoot(initdMethod(script, `init script ${script.name} runs ${paths.root}`), probes);
  if (s.scripts.present) return scriptsMethod(paths, probes, 'no systemd unit or init.d script refers to this install');
  return undefined;
}

async function forced(kind: RestartKind, paths: JiraPaths, probes: DetectProbes, s: Survey): Promise<RestartMethod | undefined> {
  if (kind === 'scripts') return s.scripts.present ? scriptsMethod(paths, probes, '--method scripts') : undefined;
  if (kind === 'systemd') {
    // Asked for explicitly: a lone jira unit is acceptable even if we cannot tie it to this dir.
    const unit = pickUnit(s.systemd.units.filter((u) => u.refersToJira)) ?? lone(s.systemd.units);
    return unit ? needRoot(systemdMethod(unit, `--method systemd (unit ${unit.name})`), probes) : undefined;
  }
  const script = s.initd.scripts.find((c) => c.refersToJira) ?? lone(s.initd.scripts);
  return script ? needRoot(initdMethod(script, `--method initd (${script.name})`), probes) : undefined;
}

function lone<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}

/**
 * Of the units that mention this install, the one that runs Jira: one that starts it (start-jira.sh,
 * startup.sh, catalina.sh, itself or through its init script) before one that only mentions the folder
 * (a backup job, say), and jira.service before other names.
 */
function pickUnit(units: Candidate[]): Candidate | undefined {
  const starts = (u: Candidate) => /\b(start-jira|startup|catalina)\.sh\b/.test(`${u.text}\n${u.source?.text ?? ''}`);
  const rank = (u: Candidate) => (starts(u) ? 0 : 2) + (u.name === 'jira.service' ? 0 : 1);
  return [...units].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1))[0];
}

function systemdMethod(unit: Candidate, why: string): RestartMethod {
  return { kind: 'systemd', stop: ['systemctl', 'stop', unit.name], start: ['systemctl', 'start', unit.name], why, notes: [], unit: unit.name };
}

function initdMethod(script: Candidate, why: string): RestartMethod {
  return { kind: 'initd', stop: [script.name, 'stop'], start: [script.name, 'start'], why, notes: [], initScript: script.name };
}

function needRoot(m: RestartMethod, probes: DetectProbes): RestartMethod {
  if (probes.isRoot) return m;
  throw new EnvironmentError(
    `Jira is run by ${m.unit ? `systemd unit ${m.unit}` : m.initScript}; stopping and starting it needs root (running as ${probes.userName || 'a non-root user'}).`,
    `Re-run with sudo, or pass --method scripts to use bin/stop-jira.sh and bin/start-jira.sh as the Jira user.`,
  );
}

async function scriptsMethod(paths: JiraPaths, probes: DetectProbes, reason: string): Promise<RestartMethod> {
  const text = await readFile(paths.userSh, 'utf8').catch(() => undefined);
  const user = text === undefined ? undefined : parseJiraUser(text);
  const base = { kind: 'scripts' as const, notes: [] as string[] };
  const me = probes.userName || 'the current user';
  if (!user || user === probes.userName) {
    const who = user
      ? `bin/user.sh names ${user}, which is who duo-jira runs as`
      : `${text === undefined ? 'there is no bin/user.sh' : 'JIRA_USER in bin/user.sh is empty'}, so the scripts run as ${me}`;
    return { ...base, stop: [paths.stopScript], start: [paths.startScript], why: `${reason}; ${who}` };
  }
  if (!probes.isRoot) {
    throw new EnvironmentError(
      `bin/user.sh says Jira runs as "${user}", but duo-jira is running as "${probes.userName}"; the scripts would refuse (or start Jira as the wrong user).`,
      `Re-run with sudo (duo-jira then runs the scripts as ${user} through runuser), or as ${user}.`,
    );
  }
  const runuser = await probes.which('runuser');
  if (!runuser) {
    throw new EnvironmentError(`runuser (util-linux) was not found, so the Jira scripts cannot be run as "${user}" without running Jira as root.`, 'Install util-linux, or restart Jira yourself.');
  }
  // Never run Jira as root when the install names a Jira user: a root-owned Tomcat leaves root-owned
  // logs/work files the real user can't write, and exposes the box.
  const as = (script: string) => [runuser, '-u', user, '--', script];
  return { ...base, stop: as(paths.stopScript), start: as(paths.startScript), runAs: user, why: `${reason}; bin/user.sh names ${user}, so the scripts run as ${user} via runuser` };
}

function unusedNotes(s: Survey, m: RestartMethod, root: string): string[] {
  const notes: string[] = [];
  for (const u of s.systemd.units) {
    if (u.name !== m.unit) notes.push(u.refersToJira ? `systemd unit ${u.name} also mentions ${root} but does not start Jira there the way ${m.unit ?? 'the chosen method'} does; not used` : `systemd unit ${u.name} does not refer to ${root}; not used`);
  }
  for (const c of s.initd.scripts) if (c.name !== m.initScript && !c.refersToJira) notes.push(`${c.name} does not refer to ${root}; not used`);
  return notes;
}

function nothingFound(paths: JiraPaths, s: Survey, wanted?: RestartKind): EnvironmentError {
  const looked: string[] = [];
  if (s.systemd.probed) {
    looked.push(`systemd units matching '*jira*' (systemctl list-unit-files; ${describeFound(s.systemd.units.map((u) => u.name), paths.root)})`);
  } else if (s.systemd.skipped !== 'not asked for') {
    looked.push(`systemd unit jira.service and '*jira*' units: skipped, ${s.systemd.skipped}`);
  }
  if (s.initd.paths.length > 0) looked.push(`init scripts ${s.initd.paths.join(', ')} (${describeFound(s.initd.scripts.map((c) => c.name), paths.root)})`);
  if (!wanted || wanted === 'scripts') {
    looked.push(`${s.scripts.stop} and ${s.scripts.start} (${s.scripts.present ? 'present' : 'missing or not executable'})`);
  }
  const what = wanted ? `--method ${wanted} found nothing to restart Jira at ${paths.root} with` : `Found no way to restart Jira at ${paths.root}`;
  return new EnvironmentError(
    `${what}. Looked for: ${looked.join('; ')}.`,
    `Check --jira-dir, pass --method ${RESTART_KINDS.join('|')}, or restart Jira yourself (e.g. ${formatArgv([paths.stopScript])} then ${formatArgv([paths.startScript])}).`,
  );
}

function describeFound(names: string[], root: string): string {
  return names.length === 0 ? 'none found' : `found ${names.join(', ')}, none of which refers to ${root}`;
}

/**
 * The systemd unit that runs this install, with what it gives Jira's environment: its `systemctl cat`
 * text (drop-ins included), the EnvironmentFile= files it names and a generated unit's init script.
 * Undefined without such a unit. Reading only; src/jira/home.ts interprets it.
 */
export async function serviceEnvironment(root: string, probes: Partial<DetectProbes> = {}): Promise<{ env?: ServiceEnvironment; warnings: string[] }> {
  const s = await surveySystemd({ ...defaultProbes(), ...probes }, await rootVariants(root));
  const mine = s.units.filter((u) => u.refersToJira);
  const unit = pickUnit(mine);
  if (!unit) return { warnings: [] };
  const warnings = mine.length > 1 ? [`Several systemd units mention ${root} (${mine.map((u) => u.name).join(', ')}); the Jira home is read from ${unit.name}.`] : [];
  const envFiles: ServiceEnvironment['envFiles'] = [];
  // "EnvironmentFile=-/etc/default/jira": the leading "-" means a missing file is fine.
  for (const m of unit.text.matchAll(/^\s*EnvironmentFile\s*=\s*(-?)(.+)$/gm)) {
    const path = m[2]!.trim();
    if (/[*?[]/.test(path)) {
      warnings.push(`${unit.name} reads EnvironmentFile=${path}; duo-jira does not expand wildcards, so if those files set JIRA_HOME, pass --jira-home.`);
      continue;
    }
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' && m[1] === '-' ? '' : undefined));
    envFiles.push({ path, text });
  }
  return { env: { unit: unit.name, unitText: unit.text, envFiles, initScript: unit.source }, warnings };
}
