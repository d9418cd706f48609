// Where $JIRA_HOME is. Pure: the caller passes the environment and the texts of the files it read.
//
// Jira itself resolves -Djira.home, then the JIRA_HOME environment variable, then jira.home in
// atlassian-jira/WEB-INF/classes/jira-application.properties (reference jira.md §1). We check, in order:
//   1. env JIRA_HOME (the environment duo-jira runs in: an explicit override by the admin);
//   2. bin/setenv.sh: -Djira.home=… in an uncommented line, else the last uncommented JIRA_HOME=…
//      (export JIRA_HOME=…, quotes and trailing comments handled; values with $VARIABLES skipped);
//   3. the service environment (systemd Environment=JIRA_HOME=… or an EnvironmentFile line);
//   4. jira.home in jira-application.properties (Java properties: C:\\Program Files\\… unescaped).
import { parsePropertiesEntries } from './properties.js';

export type JiraHomeSource = 'env' | 'setenv.sh' | 'systemd' | 'jira-application.properties' | 'none';

export interface JiraHomeInput {
  env?: Record<string, string | undefined>;
  /** Text of bin/setenv.sh. */
  setenvSh?: string;
  /** Text of atlassian-jira/WEB-INF/classes/jira-application.properties. */
  appProperties?: string;
  /**
   * Service environment: a systemd unit (Environment= lines), `systemctl show -p Environment` output,
   * or an EnvironmentFile (KEY=VALUE lines).
   */
  systemdEnv?: string;
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

function fromSetenv(text: string, warnings: string[]): string | undefined {
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
      warnings.push(`bin/setenv.sh sets ${what}=${v}, which uses shell variables duo-jira cannot expand; ignoring it.`);
      continue;
    }
    return v.trim();
  }
  return undefined;
}

function fromSystemd(text: string, warnings: string[]): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const env = /^Environment=(.*)$/.exec(line);
    // Environment= holds space-separated, optionally quoted KEY=VALUE words.
    const words = env ? (env[1] as string).match(/"[^"]*"|'[^']*'|\S+/g) ?? [] : [line.replace(/^export\s+/, '')];
    for (const w of words) {
      const kv = /^JIRA_HOME=(.*)$/.exec(unquote(w));
      if (kv) found = unquote(kv[1] as string);
    }
  }
  if (found !== undefined && hasUnresolvedVar(found)) {
    warnings.push(`The service environment sets JIRA_HOME=${found}, which uses variables duo-jira cannot expand; ignoring it.`);
    return undefined;
  }
  return found?.trim() || undefined;
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
  if (input.systemdEnv !== undefined) {
    const h = fromSystemd(input.systemdEnv, warnings);
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
