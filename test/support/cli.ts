// Run the built CLI (bin/duo-jira.js → dist/) as a user would, in a temp Jira tree with its own state dir.
import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createHash } from 'node:crypto';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/duo-jira.js');
export const SAMPLE_RELEASE = join(REPO, 'fixtures/duo_jira-sample');
export const KEYS = {
  ikey: 'DIXXXXXXXXXXXXXXXXXX',
  skey: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
  host: 'api-12345678.duosecurity.com',
};

export interface TempJira {
  root: string;
  dir: string;
  state: string;
  webXml: string;
  lib: string;
  cleanup(): void;
}

export function tempJira(fixture = 'jira-7'): TempJira {
  const root = mkdtempSync(join(tmpdir(), 'duo-jira-e2e-'));
  const dir = join(root, 'jira');
  cpSync(join(REPO, 'fixtures', fixture), dir, { recursive: true });
  homeInside(dir, join(root, 'home'));
  return {
    root, dir, state: join(root, 'state'),
    webXml: join(dir, 'atlassian-jira/WEB-INF/web.xml'),
    lib: join(dir, 'atlassian-jira/WEB-INF/lib'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export async function cli(t: TempJira, args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  return execa('node', [BIN, ...args], {
    reject: false,
    cwd: t.root,
    input: opts.input,
    env: { ...inheritedEnv(), DUO_JIRA_STATE_DIR: t.state, NO_COLOR: '1', ...opts.env },
    extendEnv: false,
  });
}

/** This process's environment without JIRA_HOME: a test that places or removes the add-on would do it there. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { JIRA_HOME: _notThis, ...rest } = process.env;
  return rest;
}

/**
 * The fixtures name real-looking Jira homes (the installer's /var/atlassian/application-data/jira in
 * jira-application.properties, /data/jira/home in jira-8's setenv.sh). In a copy that commands change,
 * point them into the temp folder: on a machine with a real Jira there, uninstall would otherwise remove
 * that Jira's duo-twofactor add-on.
 */
export function homeInside(jiraDir: string, home: string): void {
  const rewrite = (file: string, line: RegExp) => {
    if (existsSync(file)) writeFileSync(file, readFileSync(file, 'utf8').replace(line, `$1${home}`));
  };
  rewrite(join(jiraDir, 'atlassian-jira/WEB-INF/classes/jira-application.properties'), /^([ \t]*jira\.home[ \t]*=[ \t]*).*$/gm);
  rewrite(join(jiraDir, 'bin/setenv.sh'), /^([ \t]*(?:export[ \t]+)?JIRA_HOME=).*$/gm);
}

export function installArgs(t: TempJira, extra: string[] = []): string[] {
  return ['install', '-d', t.dir, '-i', KEYS.ikey, '-h', KEYS.host, '--artifacts', SAMPLE_RELEASE, '--offline', ...extra];
}

/** sha256 + mode of every file below dir: what "byte-identical" means for a tree. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else out.set(relative(dir, p), `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${(statSync(p).mode & 0o7777).toString(8)}`);
    }
  };
  walk(dir);
  return out;
}
