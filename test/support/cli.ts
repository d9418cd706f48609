// Run the built CLI (bin/duo-jira.js → dist/) as a user would, in a temp Jira tree with its own state dir.
import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
    env: { DUO_JIRA_STATE_DIR: t.state, NO_COLOR: '1', ...opts.env },
    extendEnv: true,
  });
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
