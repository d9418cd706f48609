// doctor's checks: pure functions from the gathered facts to { id, status, finding, fix }. No I/O here, so
// every case is table-testable with hand-made facts.
import { LIB_FAMILIES } from '../artifacts.js';
import { mask, validateCredentials, type Credentials } from '../credentials.js';
import { ALLOWED_SKEW_SECONDS, type PreflightResult } from '../duo-api/client.js';
import { describeHomeSource } from '../jira/home.js';
import { support } from '../jira/version.js';
import { DUO, OPTIONAL_PARAMS } from '../webxml/template.js';
import type { Check, DoctorFacts, DuoState, FileMeta, Status, Summary } from './types.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Quote for a POSIX shell only when needed, so suggested commands can be pasted as they are. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `duo-jira <command> [-d <dir>]` for this install (no -d for the default /opt/atlassian/jira). */
export function command(f: Pick<DoctorFacts, 'dirArg'>, name: string, extra = ''): string {
  return `duo-jira ${name}${f.dirArg ? ` -d ${shq(f.dirArg)}` : ''}${extra}`;
}

function param(f: DoctorFacts, name: string): string | undefined {
  return f.webXml.parsed?.filter?.params.filter(([n]) => n === name).at(-1)?.[1];
}

/** install with the ikey/host web.xml already has; the skey stays a placeholder (never printed). */
function installCommand(f: DoctorFacts): string {
  const ikey = param(f, 'ikey');
  const host = param(f, 'host');
  return command(f, 'install', ` -i ${ikey ? shq(ikey) : '<ikey>'} -s <skey> -h ${host ? shq(host) : '<host>'}`);
}

export function modeString(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function describeMeta(m: FileMeta): string {
  return `${modeString(m.mode)}, uid ${m.uid}, gid ${m.gid}`;
}

const R = { u: 0o400, g: 0o040, o: 0o004 };
const X = { u: 0o100, g: 0o010, o: 0o001 };

/** Unix permission check for a user (root reads everything), from mode bits and owner, not access(2). */
export function canAccess(m: FileMeta, who: { uid: number; gids: number[] }, bits = R): boolean {
  if (who.uid === 0) return true;
  if (m.uid === who.uid) return (m.mode & bits.u) !== 0;
  if (who.gids.includes(m.gid)) return (m.mode & bits.g) !== 0;
  return (m.mode & bits.o) !== 0;
}

const worldReadable = (m: FileMeta) => (m.mode & R.o) !== 0;

function mk(id: string, title: string, status: Status, finding: string, fix?: string, details?: string[]): Check {
  return { id, title, status, finding, ...(fix !== undefined ? { fix } : {}), ...(details?.length ? { details } : {}) };
}

const TITLES = {
  layout: 'Jira install directory',
  'jira.version': 'Jira version',
  'jira.home': 'Jira home',
  webxml: 'web.xml',
  'webxml.duo': 'Duo filter in web.xml',
  'webxml.params': 'Duo filter settings',
  'jars.present': 'Duo jars in WEB-INF/lib',
  'jars.official': 'Duo jar builds',
  'jars.readable': 'Duo jars readable by Jira',
  'upgrade-drift': 'Upgrade drift',
  addon: 'duo-twofactor add-on',
  'secrets.webxml': 'Secret key file permissions',
  'secrets.backups': 'duo-jira backups',
  journal: 'duo-jira journal',
  'duo.reach': 'Duo API reachable',
  'duo.clock': 'Clock vs Duo',
  'duo.keys': 'Duo accepts the keys',
} as const;

export type CheckId = keyof typeof TITLES;
export const CHECK_IDS = Object.keys(TITLES) as CheckId[];

function check(id: CheckId, status: Status, finding: string, fix?: string, details?: string[]): Check {
  return mk(id, TITLES[id], status, finding, fix, details);
}

const layoutOk = (f: DoctorFacts) => f.layout.root && f.layout.webXml && f.layout.lib;

// ---------------------------------------------------------------------------------------------
// State

/** installed / disabled / not-installed / broken, from web.xml alone (jars are checked separately). */
export function duoState(f: DoctorFacts): DuoState {
  const w = f.webXml;
  if (!w.parsed) return w.exists ? 'broken' : 'not-installed';
  const { filter, mapping } = w.parsed;
  if (!filter) return mapping ? 'broken' : 'not-installed';
  if (!filter.rightAfterSecurity || filter.className !== DUO.filterClass) return 'broken';
  if (!mapping) return 'disabled';
  return mapping.rightAfterSecurity ? 'installed' : 'broken';
}

// ---------------------------------------------------------------------------------------------
// Checks

export function checkLayout(f: DoctorFacts): Check {
  const fix = `Point -d at the Jira installation directory (the one that holds atlassian-jira/ and bin/), e.g. ${command({ dirArg: '/opt/atlassian/jira' }, 'doctor')}`;
  if (!f.layout.root) return check('layout', 'fail', `${f.jiraDir} does not exist or is not a directory`, fix);
  const missing = [
    !f.layout.webXml && 'atlassian-jira/WEB-INF/web.xml',
    !f.layout.lib && 'atlassian-jira/WEB-INF/lib/',
  ].filter(Boolean);
  if (missing.length) return check('layout', 'fail', `${f.jiraDir} is not a Jira installation directory: no ${missing.join(' and ')}`, fix);
  return check('layout', 'ok', `${f.jiraDir} (atlassian-jira/WEB-INF/web.xml and lib/ present)`);
}

export function checkVersion(f: DoctorFacts): Check {
  const v = f.version;
  const s = support(v.version);
  const from = v.source === 'jira-api-jar' ? `jira-api-${v.version}.jar` : v.source;
  const details = [s.note, ...v.warnings];
  if (s.level === 'unknown') return check('jira.version', 'warn', 'Jira version could not be read offline', s.note, v.warnings);
  const what = `Jira ${v.version} (from ${from})`;
  if (s.level === 'unsupported') return check('jira.version', 'fail', `${what}: not supported by the legacy Duo filter`, s.note, details);
  if (s.level === 'untested') return check('jira.version', 'warn', `${what}: untested with the legacy Duo filter`, s.note, details);
  // Several jira-api jars / pom mismatch / milestone build: the version is a guess worth a look.
  const dirty = v.source === 'jira-api-jar' && v.warnings.length > 0;
  return check('jira.version', dirty ? 'warn' : 'ok', `${what}: supported by the legacy Duo filter (Jira 6.1–7.x)`, dirty ? v.warnings[0] : undefined, details);
}

export function checkHome(f: DoctorFacts): Check {
  const h = f.home;
  const fix = `Pass it explicitly: ${command(f, 'doctor', ' --jira-home <path>')}`;
  if (!h.path) return check('jira.home', 'warn', 'not found (looked at JIRA_HOME, bin/setenv.sh, the systemd unit running this install, jira-application.properties)', fix, h.warnings);
  const from = describeHomeSource(h);
  if (!h.readable) {
    const why = h.error === 'ENOENT' ? 'does not exist' : `cannot be read (${h.error})`;
    const hint = h.error === 'ENOENT' ? fix : `Run doctor as root or as the Jira user, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`;
    return check('jira.home', 'warn', `${h.path} (from ${from}) ${why}`, hint, h.warnings);
  }
  return check('jira.home', h.warnings.length ? 'warn' : 'ok', `${h.path} (from ${from}) is readable`, h.warnings[0], h.warnings);
}

export function checkWebXml(f: DoctorFacts): Check {
  const w = f.webXml;
  if (!w.exists) return check('webxml', 'fail', `${w.path} does not exist`, checkLayout(f).fix);
  if (w.readError) return check('webxml', 'fail', `${w.path} cannot be read (${w.readError})`, 'Run duo-jira doctor as root (or as the owner of the Jira installation).');
  if (w.unsafe) {
    return check('webxml', 'fail', `web.xml cannot be used as it is: ${oneLine(w.unsafe.message)}`,
      w.unsafe.hint ?? `Fix ${w.path} by hand (keep a copy first), then run ${command(f, 'doctor')} again.`);
  }
  const p = w.parsed!;
  return check('webxml', 'ok', `well-formed; security filter at line ${p.securityFilterLine}, its mapping at line ${p.securityMappingLine}`);
}

export function checkDuoWebXml(f: DoctorFacts, state: DuoState): Check {
  const p = f.webXml.parsed;
  if (!p) return check('webxml.duo', 'skip', 'web.xml could not be read (see webxml)');
  const { filter, mapping } = p;
  if (!filter) {
    if (mapping) {
      return check('webxml.duo', 'fail',
        `a duoauth filter-mapping (line ${mapping.line}) without a duoauth filter: Tomcat refuses to start Jira with it`,
        `${command(f, 'uninstall')} (removes the leftover mapping)`);
    }
    const left = p.disabledMappings.length ? [`a commented-out duoauth mapping is left at line ${p.disabledMappings.join(', ')} (harmless)`] : [];
    return check('webxml.duo', 'skip', 'Duo is not installed (no duoauth filter in web.xml)', `To install: ${installCommand(f)}`, left);
  }
  if (filter.className !== DUO.filterClass) {
    return check('webxml.duo', 'fail', `the duoauth filter (line ${filter.line}) has class ${filter.className || '(none)'}, not ${DUO.filterClass}`, installCommand(f));
  }
  if (!filter.rightAfterSecurity) {
    return check('webxml.duo', 'fail',
      `the duoauth filter (line ${filter.line}) is not right after the security filter (line ${p.securityFilterLine})` +
        (filter.afterSecurity ? `; ${filter.afterSecurity} comes first` : ''),
      `${installCommand(f)} (moves the duoauth blocks right after security)`);
  }
  if (mapping && !mapping.rightAfterSecurity) {
    return check('webxml.duo', 'fail',
      `the duoauth mapping (line ${mapping.line}) is not right after the security mapping (line ${p.securityMappingLine}): filters mapped in between run before Duo`,
      `${installCommand(f)} (moves the duoauth blocks right after security)`);
  }
  if (state === 'disabled') {
    const how = p.disabledMappings.length ? `its mapping is commented out (line ${p.disabledMappings[0]})` : 'it has no filter-mapping';
    return check('webxml.duo', 'warn', `Duo is disabled: the duoauth filter is configured but ${how}, so Jira is not protected`, command(f, 'enable'));
  }
  const m = mapping!;
  const problems: string[] = [];
  if (!m.urlPatterns.includes('/*')) problems.push(`it covers only ${m.urlPatterns.join(' ') || 'no URL'} instead of /*`);
  const disp = m.dispatchers.length ? m.dispatchers.map((d) => d.toUpperCase()) : ['REQUEST'];
  const lacking = DUO.mapping.dispatchers.filter((d) => !disp.includes(d));
  if (lacking.length) problems.push(`it lacks dispatcher ${lacking.join(' and ')}`);
  if (problems.length) {
    return check('webxml.duo', 'warn', `the duoauth mapping (line ${m.line}) ${problems.join('; ')}: some requests skip Duo`,
      'Edit the duoauth <filter-mapping> by hand: <url-pattern>/*</url-pattern> with <dispatcher>FORWARD</dispatcher> and <dispatcher>REQUEST</dispatcher>.');
  }
  return check('webxml.duo', 'ok', `duoauth filter right after security (line ${filter.line}), mapping right after the security mapping (line ${m.line})`);
}

const BOOLEAN_PARAMS = Object.entries(DUO.optionalParams).filter(([, d]) => d.type === 'boolean').map(([n]) => n);
const KNOWN_PARAMS = new Set<string>([...DUO.requiredParams, ...OPTIONAL_PARAMS]);

export function checkParams(f: DoctorFacts): Check {
  const filter = f.webXml.parsed?.filter;
  if (!filter) return check('webxml.params', 'skip', 'no duoauth filter to check');
  const errors: string[] = [];
  const warnings: string[] = [];
  const counts = new Map<string, number>();
  for (const [n] of filter.params) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const [n, c] of counts) if (c > 1) warnings.push(`init-param ${n} is set ${c} times (Tomcat keeps the last one)`);
  const get = (n: string) => filter.params.filter(([k]) => k === n).at(-1)?.[1];

  const creds: Partial<Credentials> = {};
  for (const n of DUO.requiredParams as Array<keyof Credentials>) {
    const v = get(n);
    if (v === undefined || v === '') errors.push(`${n} is ${v === undefined ? 'missing' : 'empty'}`);
    else creds[n] = v;
  }
  const v = validateCredentials(creds);
  for (const e of v.errors) errors.push(`${e.field}: ${e.message}`);
  for (const w of v.warnings) warnings.push(`${w.field}: ${w.message}`);

  for (const n of BOOLEAN_PARAMS) {
    const val = get(n);
    if (val !== undefined && !/^(true|false)$/i.test(val)) {
      errors.push(`${n} is "${val}": the filter reads anything but "true" as false; write true or false`);
    }
  }
  const login = get('login.url');
  if (login !== undefined && !login.startsWith('/')) errors.push(`login.url "${login}" must be a path starting with / (relative to Jira's context path)`);
  const dirs = get('unprotected.dirs');
  if (dirs !== undefined) {
    // DuoAuthFilter: value.split(" ") and url.startsWith(entry). An empty entry matches every URL.
    const entries = dirs.split(' ');
    while (entries.length > 1 && entries.at(-1) === '') entries.pop(); // Java's split drops trailing empties
    if (entries.some((e) => e === '')) {
      errors.push('unprotected.dirs has an empty entry (empty value or two spaces in a row): the filter treats it as the prefix "", which matches every URL, so Duo protects nothing');
    }
    const bad = entries.filter((e) => e !== '' && (!e.startsWith('/') || /\s/.test(e)));
    if (bad.length) {
      errors.push(`unprotected.dirs entries must start with / and be separated by single spaces (tabs and newlines become part of an entry): ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    }
  }
  for (const [n] of counts) {
    if (KNOWN_PARAMS.has(n)) continue;
    const near = [...KNOWN_PARAMS].find((k) => k.toLowerCase() === n.toLowerCase());
    warnings.push(near ? `init-param "${n}" is ignored: names are case-sensitive, did you mean "${near}"?` : `init-param "${n}" is not read by the legacy DuoAuthFilter`);
  }

  const summary = [
    creds.ikey ? `ikey ${creds.ikey}` : undefined,
    creds.skey ? `skey ${mask(creds.skey)}` : undefined,
    creds.akey ? `akey ${mask(creds.akey)}` : undefined,
    creds.host ? `host ${creds.host}` : undefined,
    `fail.Open=${get('fail.Open') ?? 'false'}`,
    `bypass.APIs=${get('bypass.APIs') ?? 'false'}`,
  ].filter(Boolean).join(', ');
  const fixCmd = `${installCommand(f)} with the right values (it updates the params in place)`;
  if (errors.length) return check('webxml.params', 'fail', errors[0]!, fixCmd, [...errors.slice(1), ...warnings, summary]);
  if (warnings.length) return check('webxml.params', 'warn', warnings[0]!, 'Double-check the value in the Duo Admin Panel (Applications → your Jira application).', [...warnings.slice(1), summary]);
  return check('webxml.params', 'ok', summary);
}

function libFamilies(f: DoctorFacts) {
  return LIB_FAMILIES.map((fam) => ({ id: fam.id, jars: f.jars.filter((j) => j.family === fam.id) }));
}

const libJars = (f: DoctorFacts) => f.jars.filter((j) => j.family !== 'duo-twofactor');

export function checkJarsPresent(f: DoctorFacts): Check {
  const filter = f.webXml.parsed?.filter !== undefined;
  const fams = libFamilies(f);
  const present = fams.filter((x) => x.jars.length > 0);
  const addonInLib = f.jars.filter((j) => j.family === 'duo-twofactor');
  const addonNote = addonInLib.map((j) => `${j.name} is in WEB-INF/lib: it is a Jira add-on and belongs in $JIRA_HOME/plugins/installed-plugins (remove it: rm ${shq(j.path)})`);

  if (present.length === 0) {
    if (filter) {
      return check('jars.present', 'fail', `no Duo jars in WEB-INF/lib but web.xml configures ${DUO.filterClass}: Tomcat cannot load it and Jira will not start`, installCommand(f), addonNote);
    }
    if (addonNote.length) return check('jars.present', 'warn', addonNote[0]!, undefined, addonNote.slice(1));
    return check('jars.present', 'ok', 'none (Duo is not installed)');
  }
  const missing = fams.filter((x) => x.jars.length === 0).map((x) => `${x.id}-<version>.jar`);
  const multi = fams.filter((x) => x.jars.length > 1);
  const listed = fams.flatMap((x) => x.jars.map((j) => j.name));
  if (multi.length) {
    const what = multi.map((x) => `${x.jars.length} ${x.id} jars (${x.jars.map((j) => j.name).join(', ')})`).join('; ');
    return check('jars.present', 'fail', `${what} in WEB-INF/lib: the class loader picks one at random`, `${installCommand(f)} (keeps exactly one version of each)`, [...listed, ...addonNote]);
  }
  if (missing.length) {
    const finding = `missing ${missing.join(', ')} in WEB-INF/lib` + (filter ? ': the Duo filter cannot load and Jira will not start' : ' (an incomplete set left behind)');
    return check('jars.present', filter ? 'fail' : 'warn', finding,
      filter ? installCommand(f) : `${installCommand(f)} to complete it, or ${command(f, 'uninstall')} to remove the rest`, [...listed, ...addonNote]);
  }
  if (addonNote.length) return check('jars.present', 'warn', addonNote[0]!, undefined, [...listed, ...addonNote.slice(1)]);
  return check('jars.present', 'ok', listed.join(', '));
}

export function checkJarsOfficial(f: DoctorFacts): Check {
  const jars = libJars(f);
  if (!jars.length) return check('jars.official', 'skip', 'no Duo jars to check');
  const unread = jars.filter((j) => !j.sha256);
  const unofficial = jars.filter((j) => j.sha256 && !j.official);
  const details = jars.map((j) => `${j.name}: ${j.official ? `official ${j.official}` : j.sha256 ? `unrecognized build, SHA-256 ${j.sha256}` : `not readable (${j.readError})`}`);
  if (unread.length) {
    return check('jars.official', 'warn', `cannot read ${unread.map((j) => j.name).join(', ')} (${unread[0]!.readError})`, 'Run duo-jira doctor as root to check them.', details);
  }
  if (unofficial.length) {
    return check('jars.official', 'warn',
      `not official duo_jira release builds: ${unofficial.map((j) => `${j.name} (SHA-256 ${j.sha256!.slice(0, 12)}…)`).join(', ')}`,
      `Make sure you trust where they came from, or reinstall from Duo's release (github.com/duosecurity/duo_jira, etc/): ${command(f, 'install', ' --artifacts <release dir> -i <ikey> -s <skey> -h <host>')}`,
      details);
  }
  return check('jars.official', 'ok', `official duo_jira release builds (${jars.map((j) => j.name).join(', ')})`, undefined, details);
}

export function checkJarsReadable(f: DoctorFacts): Check {
  const jars = libJars(f);
  if (!jars.length) return check('jars.readable', 'skip', 'no Duo jars to check');
  const u = f.user;
  const details = jars.map((j) => `${j.name}: ${j.meta ? describeMeta(j.meta) : 'no stat'}`);
  if (f.libDir) details.push(`WEB-INF/lib: ${describeMeta(f.libDir)}`);
  if (u.ids) return jarsReadableBy(f, jars, u.name ?? `uid ${u.ids.uid}`, u.ids, details);

  // Without the Jira user's ids, only "readable by everyone" can be proven.
  const dirOpen = !f.libDir || (f.libDir.mode & (R.o | X.o)) === (R.o | X.o);
  const notWorld = jars.filter((j) => !j.meta || !worldReadable(j.meta));
  if (!notWorld.length && dirOpen) return check('jars.readable', 'ok', 'readable by every user (world-readable), so by the Jira user too', undefined, details);
  if (!u.name) {
    const who = u.userShFound ? 'JIRA_USER in bin/user.sh is empty, so Jira runs as whoever starts it' : 'bin/user.sh not found, so the Jira user is unknown';
    return check('jars.readable', 'warn', `${who}, and ${notWorld.map((j) => j.name).join(', ') || 'WEB-INF/lib'} is not world-readable`,
      notWorld.length ? chmod(notWorld.map((j) => j.path)) : `chmod o+rx ${shq(f.paths.lib)}`, details);
  }
  return check('jars.readable', 'warn', `cannot check for Jira user ${u.name} (${u.lookupError ?? 'unknown user'}); ${notWorld.map((j) => j.name).join(', ') || 'WEB-INF/lib'} is not world-readable`,
    notWorld.length ? chmod(notWorld.map((j) => j.path)) : `chmod o+rx ${shq(f.paths.lib)}`, details);
}

const chmod = (paths: string[]) => `chmod 644 ${paths.map(shq).join(' ')}`;

function jarsReadableBy(f: DoctorFacts, jars: DoctorFacts['jars'], name: string, ids: { uid: number; gids: number[] }, details: string[]): Check {
  const who = `${name} (uid ${ids.uid})`;
  // Tomcat lists WEB-INF/lib to find the jars: the directory needs read and search permission.
  if (f.libDir && !(canAccess(f.libDir, ids, X) && canAccess(f.libDir, ids, R))) {
    return check('jars.readable', 'fail', `Jira user ${who} cannot list ${f.paths.lib} (${describeMeta(f.libDir)}): Tomcat finds no jars there`, `chmod o+rx ${shq(f.paths.lib)}`, details);
  }
  const unreadable = jars.filter((j) => j.meta && !canAccess(j.meta, ids));
  if (unreadable.length) {
    return check('jars.readable', 'fail',
      `Jira user ${who} cannot read ${unreadable.map((j) => `${j.name} (${describeMeta(j.meta!)})`).join(', ')}: Tomcat cannot load the Duo filter`,
      chmod(unreadable.map((j) => j.path)), details);
  }
  return check('jars.readable', 'ok', `readable by Jira user ${who}`, undefined, details);
}

export function checkDrift(f: DoctorFacts): Check {
  const p = f.webXml.parsed;
  if (!p) return check('upgrade-drift', 'skip', 'web.xml could not be read (see webxml)');
  const jars = libJars(f);
  if (jars.length && !p.filter) {
    return check('upgrade-drift', 'fail',
      `Duo jars are in WEB-INF/lib (${jars.map((j) => j.name).join(', ')}) but web.xml has no duoauth filter: web.xml was replaced (typically by a Jira upgrade) and Jira runs WITHOUT Duo`,
      installCommand(f));
  }
  if (p.filter) return check('upgrade-drift', 'ok', 'web.xml still has the duoauth filter');
  return check('upgrade-drift', 'ok', 'no Duo jars and no duoauth filter: nothing left over from an earlier install');
}

export function checkAddon(f: DoctorFacts): Check {
  const h = f.home;
  const filter = f.webXml.parsed?.filter !== undefined;
  const found = h.plugins?.addons ?? [];
  if (!f.webXml.parsed) return check('addon', 'skip', 'web.xml could not be read (see webxml)');
  if (!filter) {
    const left = found.map((a) => `${a.name} is still in ${h.pluginsDir}; remove it in Jira (Manage apps) if Duo is gone for good`);
    return check('addon', 'skip', 'not needed: Duo is not configured in web.xml', undefined, left);
  }
  if (!h.path || !h.readable || !h.plugins) {
    return check('addon', 'skip', `unknown: Jira home ${h.path ? `${h.path} cannot be read` : 'not found'}`, `Pass it: ${command(f, 'doctor', ' --jira-home <path>')}`);
  }
  if (!h.plugins.readable) {
    return check('addon', 'skip', `unknown: ${h.pluginsDir} cannot be read (${h.plugins.error})`, 'Run duo-jira doctor as root or as the Jira user.');
  }
  const upload = 'Upload duo-twofactor-<version>.jar from the duo_jira release in Jira: Administration → Manage apps → Upload app';
  if (!found.length) {
    return check('addon', 'warn',
      `duo-twofactor add-on not in ${h.pluginsDir}: without it the Duo prompt page (/plugins/servlet/duologin) is missing and users cannot finish logging in`,
      upload);
  }
  const details = found.map((a) => `${a.name}: ${a.official ? `official ${a.official}` : a.sha256 ? `unrecognized build, SHA-256 ${a.sha256}` : 'not readable'}`);
  if (found.length > 1) {
    return check('addon', 'warn', `${found.length} duo-twofactor jars in ${h.pluginsDir} (${found.map((a) => a.name).join(', ')})`, 'Keep one: remove the others in Jira (Manage apps) and restart.', details);
  }
  const a = found[0]!;
  return check('addon', 'ok', `duo-twofactor ${a.version} in ${h.pluginsDir}${a.official ? ' (official build)' : ''}`, undefined, details);
}

export function checkSecretFiles(f: DoctorFacts): Check {
  const files = f.secretFiles;
  if (!files.length) return check('secrets.webxml', 'skip', 'no Duo secret key in web.xml or copies of it');
  const details = files.map((x) => `${x.path}: ${describeMeta(x.meta)}`);
  const exposed = files.filter((x) => worldReadable(x.meta));
  if (!exposed.length) {
    return check('secrets.webxml', 'ok', `${files.length === 1 ? 'web.xml holds' : `${files.length} files hold`} the skey and ${files.length === 1 ? 'is' : 'are'} not world-readable`, undefined, details);
  }
  const fixes: string[] = [];
  const copies = exposed.filter((x) => !x.live);
  const live = exposed.find((x) => x.live);
  let caveat = '';
  if (live) {
    const ids = f.user.ids;
    // Tomcat (the Jira user) must still read web.xml after "other" loses read access.
    const afterFix = { ...live.meta, mode: live.meta.mode & ~R.o };
    if (ids && !canAccess(afterFix, ids)) {
      const gid = ids.gids[0]!;
      fixes.push(`chgrp ${gid} ${shq(live.path)} && chmod g+r,o-r ${shq(live.path)}`);
    } else {
      fixes.push(`chmod o-r ${shq(live.path)}`);
      if (!ids) caveat = ` (check that the Jira user${f.user.name ? ` ${f.user.name}` : ''} can still read it as owner or group)`;
    }
  }
  if (copies.length) fixes.push(`chmod o-r ${copies.map((x) => shq(x.path)).join(' ')}`);
  const what = exposed.map((x) => `${x.live ? 'web.xml' : x.path} (${modeString(x.meta.mode)})`).join(', ');
  return check('secrets.webxml', 'warn', `${what} ${exposed.length === 1 ? 'holds' : 'hold'} the Duo secret key and ${exposed.length === 1 ? 'is' : 'are'} world-readable: any local user can read the skey`,
    fixes.join(' && ') + caveat, details);
}

export function checkBackups(f: DoctorFacts): Check {
  const cps = f.checkpoints;
  if (!cps.length) return check('secrets.backups', 'ok', `none yet (state dir ${f.stateDir})`);
  const backups = cps.flatMap((c) => c.backups);
  const details = cps.map((c) => `${c.createdAt} ${c.command} (${c.status}): ${c.backups.map((b) => `${b.path} ${b.meta ? modeString(b.meta.mode) : 'missing'}`).join(', ') || 'no files backed up'}`);
  const loose = backups.filter((b) => b.meta && (b.meta.mode & 0o077) !== 0);
  const dates = cps.map((c) => c.createdAt).sort();
  const span = dates.length > 1 ? `from ${dates[0]} to ${dates.at(-1)}` : `from ${dates[0]}`;
  const what = `${cps.length} checkpoint${cps.length === 1 ? '' : 's'} ${span}, ${backups.length} backup file${backups.length === 1 ? '' : 's'} in ${f.stateDir}`;
  if (loose.length) {
    return check('secrets.backups', 'warn', `${what}; ${loose.length} readable by others than the owner (they can hold the skey)`,
      `chmod 600 ${loose.map((b) => shq(b.path)).join(' ')}`, details);
  }
  return check('secrets.backups', 'ok', `${what}, all 0600`, undefined, details);
}

export function checkJournal(f: DoctorFacts): Check {
  const j = f.journal;
  if (!j.interrupted) return check('journal', 'ok', 'no interrupted duo-jira run');
  if (j.inProgress) {
    return check('journal', 'warn', `a duo-jira ${j.inProgress.command} run (pid ${j.inProgress.pid}, started ${j.inProgress.startedAt}) is changing files right now`,
      `Wait for it to finish, then run ${command(f, 'doctor')} again.`);
  }
  const what = `${j.command ?? 'duo-jira'} run${j.startedAt ? ` started ${j.startedAt}` : ''}`;
  return check('journal', 'fail', `an interrupted ${what} left its journal (${j.path}): files may be half-changed`,
    `${command(f, 'repair')} restores every file from ${j.checkpoint ?? 'the checkpoint'} (any duo-jira change also does that first).`);
}

// ---------------------------------------------------------------------------------------------
// Online (facts from preflight)

export function onlineChecks(f: DoctorFacts): Check[] {
  const o = f.online;
  if (!o.ran) {
    const why = o.reason;
    return [check('duo.reach', 'skip', why), check('duo.clock', 'skip', why), check('duo.keys', 'skip', why)];
  }
  const r: PreflightResult = o.result;
  const clockFix = r.kind === 'clock-skew' ? r.fix : '';
  const reachOk = check('duo.reach', 'ok', `${r.host} answered over HTTPS (DNS, TLS certificate verified)`);
  switch (r.kind) {
    case 'unreachable':
    case 'tls':
      return [check('duo.reach', 'fail', r.message, r.fix), check('duo.clock', 'skip', 'not measured: Duo not reached'), check('duo.keys', 'skip', 'not checked: Duo not reached')];
    case 'ok':
      return [
        reachOk,
        check('duo.clock', 'ok', `${Math.abs(r.skewSeconds) < 1 ? "clock in sync with Duo's" : `clock ${Math.round(Math.abs(r.skewSeconds))} s ${r.skewSeconds > 0 ? 'ahead of' : 'behind'} Duo's`} (allowed ±${ALLOWED_SKEW_SECONDS} s)`),
        check('duo.keys', 'ok', r.message),
      ];
    case 'clock-skew': {
      const skew = r.skewSeconds !== undefined ? `this machine's clock is ${Math.round(Math.abs(r.skewSeconds) / 60)} min (${Math.round(r.skewSeconds)} s) ${r.skewSeconds > 0 ? 'ahead of' : 'behind'} Duo's` : 'Duo complained about the request date';
      const clock = check('duo.clock', 'fail', `${skew} (allowed ±${r.allowedSkewSeconds} s): Duo rejects requests Jira signs with it, and users get locked out`, clockFix);
      const keys = r.status !== undefined
        ? check('duo.keys', 'skip', `not verifiable until the clock is fixed: ${r.message}`)
        : check('duo.keys', 'ok', 'Duo accepted the integration and secret keys');
      return [reachOk, clock, keys];
    }
    case 'bad-ikey':
      return [reachOk, check('duo.clock', 'ok', 'clock within Duo\'s allowed skew'),
        check('duo.keys', 'fail', `the integration key (ikey) is wrong: ${r.message}`, r.fix)];
    case 'bad-skey':
      return [reachOk, check('duo.clock', 'ok', 'clock within Duo\'s allowed skew'),
        check('duo.keys', 'fail', `the secret key (skey) is wrong: ${r.message}`, r.fix)];
    case 'http-error':
      return [reachOk, check('duo.clock', 'skip', 'not measured'), check('duo.keys', 'fail', r.message, r.fix)];
  }
}

// ---------------------------------------------------------------------------------------------
// All of them

const NEEDS_LAYOUT: CheckId[] = ['jira.version', 'jira.home', 'webxml', 'webxml.duo', 'webxml.params', 'jars.present', 'jars.official', 'jars.readable', 'upgrade-drift', 'addon', 'secrets.webxml'];

export function runChecks(f: DoctorFacts): { state: DuoState; checks: Check[] } {
  const state = duoState(f);
  const layout = checkLayout(f);
  const checks: Check[] = [layout];
  if (!layoutOk(f)) {
    for (const id of NEEDS_LAYOUT) checks.push(check(id, 'skip', 'no Jira installation found (see layout)'));
  } else {
    checks.push(
      checkVersion(f),
      checkHome(f),
      checkWebXml(f),
      checkDuoWebXml(f, state),
      checkParams(f),
      checkJarsPresent(f),
      checkJarsOfficial(f),
      checkJarsReadable(f),
      checkDrift(f),
      checkAddon(f),
      checkSecretFiles(f),
    );
  }
  checks.push(checkBackups(f), checkJournal(f), ...onlineChecks(f));
  return { state, checks };
}

export function summarize(checks: Check[]): Summary {
  const s: Summary = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) s[c.status]++;
  return s;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
