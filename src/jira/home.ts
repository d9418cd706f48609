// Where $JIRA_HOME is. Pure: the caller passes the environment and the texts of the files it read.
//
// Jira itself resolves -Djira.home, then the JIRA_HOME environment variable, then jira.home in
// atlassian-jira/WEB-INF/classes/jira-application.properties (reference jira.md §1). We check, in order:
//   1. env JIRA_HOME (the environment duo-jira runs in: an explicit override by the admin);
//   2. bin/setenv.sh: -Djira.home=… in an uncommented line, else the last uncommented JIRA_HOME=…
//      (export JIRA_HOME=…, quotes and trailing comments handled; values with $VARIABLES skipped);
//   3. the systemd unit that runs this install (Environment=, EnvironmentFile=, UnsetEnvironment=, a
//      generated unit's init script), read by systemd's rules;
//   4. jira.home in jira-application.properties (Java properties: C:\\Program Files\\… unescaped).
import { parsePropertiesEntries } from './properties.js';

export type JiraHomeSource = 'env' | 'setenv.sh' | 'systemd' | 'jira-application.properties' | 'none';

export interface JiraHomeInput {
  env?: Record<string, string | undefined>;
  /** Text of bin/setenv.sh. */
  setenvSh?: string;
  /** Text of atlassian-jira/WEB-INF/classes/jira-application.properties. */
  appProperties?: string;
  /** The systemd unit that runs this install, as the caller found it. */
  systemd?: ServiceEnvironment;
}

export interface ServiceEnvironment {
  /** Unit name, e.g. jira.service. */
  unit: string;
  /** `systemctl cat` text: the unit and its drop-ins, in the order systemd applies them. */
  unitText: string;
  /** The EnvironmentFile= files in order; text undefined when it could not be read. */
  envFiles: Array<{ path: string; text?: string | undefined }>;
  /** A SysV-generated unit's script (SourcePath=), which runs Jira with what it exports. */
  initScript?: { path: string; text: string } | undefined;
}

export interface JiraHome {
  home?: string;
  source: JiraHomeSource;
  warnings: string[];
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

/** Shell-ish value after `=`: a quoted string, or a bare word up to blank/;/#. */
function shellValue(rest: string): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s;#"'\\]|\\.)*))/.exec(rest);
  if (!m) return '';
  if (m[1] !== undefined) return m[1].replace(/\\(["\\$`])/g, '$1');
  if (m[2] !== undefined) return m[2];
  return (m[3] ?? '').replace(/\\(.)/g, '$1');
}

const hasUnresolvedVar = (v: string) => /\$[{A-Za-z_]/.test(v);

function fromSetenv(text: string, warnings: string[], label = 'bin/setenv.sh'): string | undefined {
  let assigned: string | undefined;
  let sysProp: string | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const d = /-Djira\.home=("([^"]*)"|'([^']*)'|[^\s"']+)/.exec(line);
    if (d) sysProp = d[2] ?? d[3] ?? d[1];
    const a = /^(?:export\s+)?JIRA_HOME=(.*)$/.exec(line);
    if (a) assigned = shellValue(a[1] as string);
  }
  for (const [what, v] of [['-Djira.home', sysProp], ['JIRA_HOME', assigned]] as const) {
    if (v === undefined || v.trim() === '') continue;
    if (hasUnresolvedVar(v)) {
      warnings.push(`${label} sets ${what}=${v}, which uses shell variables duo-jira cannot expand; ignoring it.`);
      continue;
    }
    return v.trim();
  }
  return undefined;
}

/** Words of a unit setting as systemd splits them: quotes may open anywhere in a word and are removed. */
export function systemdWords(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      word = (word ?? '') + value[++i];
    } else if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The value of an EnvironmentFile line as systemd reads it: quoted, or the rest of the line trimmed. */
function envFileValue(raw: string): string {
  const v = raw.trim();
  const q = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(v);
  if (q) return q[1] !== undefined ? q[1].replace(/\\(.)/g, '$1') : q[2]!;
  return v.replace(/\\(.)/g, '$1');
}

/** What one variable assignment says about the home: JIRA_HOME itself, or -Djira.home in *_OPTS/ARGS. */
function note(key: string, value: string, into: { jiraHome?: string | undefined; sysProp?: string | undefined }): void {
  if (key === 'JIRA_HOME') into.jiraHome = value;
  const d = /-Djira\.home=("([^"]*)"|'([^']*)'|\S+)/.exec(value);
  if (d) into.sysProp = d[2] ?? d[3] ?? d[1];
}

/**
 * JIRA_HOME (or -Djira.home) as systemd hands it to Jira (systemd.exec(5)): Environment= words in
 * order, an empty Environment= clearing the list; EnvironmentFile= files after them; UnsetEnvironment=
 * last. A SysV-generated unit's init script runs after all that, so what it exports wins.
 */
function fromSystemd(svc: ServiceEnvironment, warnings: string[]): string | undefined {
  const found: { jiraHome?: string | undefined; sysProp?: string | undefined } = {};
  let unset = false;
  for (const raw of svc.unitText.split(/\r\n|\r|\n/)) {
    const m = /^\s*(Environment|UnsetEnvironment)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    const words = systemdWords(m[2]!);
    if (m[1] === 'UnsetEnvironment') {
      unset ||= words.some((w) => w === 'JIRA_HOME' || w.startsWith('JIRA_HOME='));
    } else if (words.length === 0) {
      found.jiraHome = found.sysProp = undefined;
    } else {
      for (const w of words) {
        const eq = w.indexOf('=');
        if (eq > 0) note(w.slice(0, eq), w.slice(eq + 1), found);
      }
    }
  }
  for (const file of svc.envFiles) {
    if (file.text === undefined) {
      warnings.push(`${svc.unit} reads ${file.path} (EnvironmentFile=), which duo-jira could not read; if it sets JIRA_HOME, pass --jira-home.`);
      continue;
    }
    for (const raw of file.text.split(/\r\n|\r|\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      if (/^export\s+JIRA_HOME\s*=/.test(line)) {
        warnings.push(`${file.path}: systemd ignores "${line}" (no "export" in an EnvironmentFile), so Jira does not get that JIRA_HOME.`);
        continue;
      }
      const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
      if (kv) note(kv[1]!, envFileValue(kv[2]!), found);
    }
  }
  if (svc.initScript) {
    const fromScript = fromSetenv(svc.initScript.text, warnings, svc.initScript.path);
    if (fromScript) return fromScript;
  }
  if (unset) found.jiraHome = undefined;
  for (const [what, v] of [['-Djira.home', found.sysProp], ['JIRA_HOME', found.jiraHome]] as const) {
    if (v === undefined || v.trim() === '') continue;
    if (/[$%]/.test(v)) {
      warnings.push(`${svc.unit} sets ${what}=${v}, which uses variables or specifiers duo-jira does not expand; ignoring it.`);
      continue;
    }
    return v.trim();
  }
  return undefined;
}

function fromProperties(text: string, warnings: string[]): string | undefined {
  let entry;
  try {
    entry = parsePropertiesEntries(text).filter((e) => e.key === 'jira.home').at(-1);
  } catch (e) {
    warnings.push(`jira-application.properties could not be parsed: ${(e as Error).message}`);
    return undefined;
  }
  if (!entry) return undefined;
  const value = entry.value.trim();
  // A single backslash before a letter is a Java escape, so `C:\Program Files\JIRA` reads as
  // `C:Program FilesJIRA` (and \t, \n become control characters). Jira sees the same mangled value.
  if (/(^|[^\\])(\\\\)*\\(?![\\u:=# !])/.test(entry.rawValue)) {
    warnings.push(
      `jira-application.properties line ${entry.line}: jira.home = ${entry.rawValue.trim()} has unescaped backslashes; ` +
        `Java reads it as "${value}". Write Windows paths as C:\\\\Program Files\\\\… or with forward slashes.`,
    );
  }
  return value || undefined;
}

export function resolveJiraHome(input: JiraHomeInput): JiraHome {
  const warnings: string[] = [];
  const env = input.env?.JIRA_HOME?.trim();
  if (env) return { home: env, source: 'env', warnings };

  if (input.setenvSh !== undefined) {
    const h = fromSetenv(input.setenvSh, warnings);
    if (h) return { home: h, source: 'setenv.sh', warnings };
  }
  if (input.systemd !== undefined) {
    const h = fromSystemd(input.systemd, warnings);
    if (h) return { home: h, source: 'systemd', warnings };
  }
  if (input.appProperties !== undefined) {
    const h = fromProperties(input.appProperties, warnings);
    if (h) return { home: h, source: 'jira-application.properties', warnings };
  }
  warnings.push(
    'Could not find JIRA_HOME: not in the environment, bin/setenv.sh, the service environment or ' +
      'jira-application.properties (jira.home). Pass it explicitly.',
  );
  return { source: 'none', warnings };
}

/** Where a home was found, for messages: "bin/setenv.sh", "the environment of systemd unit jira.service", … */
export function describeHomeSource(h: { source: string; unit?: string | undefined }): string {
  switch (h.source) {
    case 'option': return '--jira-home';
    case 'env': return 'the JIRA_HOME environment variable';
    case 'systemd': return `the environment of systemd unit ${h.unit ?? 'jira.service'}`;
    default: return h.source;
  }
}
