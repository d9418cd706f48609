// Where duo-jira keeps its lock, journal and checkpoints for one Jira installation. Outside the Jira
// install dir on purpose: a Jira upgrade replaces that tree, and uninstall must leave it byte-identical.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StatePaths {
  dir: string;
  lock: string;
  journal: string;
  checkpoints: string;
}

export function stateRoot(env: Record<string, string | undefined>): string {
  if (env.DUO_JIRA_STATE_DIR) return resolve(env.DUO_JIRA_STATE_DIR);
  if (process.getuid?.() === 0) return '/var/lib/duo-jira';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'duo-jira');
}

export function statePaths(jiraDir: string, env: Record<string, string | undefined>, root = stateRoot(env)): StatePaths {
  // The real path: /opt/atlassian/jira and the versioned folder it links to are one installation, with one
  // lock and one history.
  let abs = resolve(jiraDir);
  try { abs = realpathSync(abs); } catch { /* not there (yet): the path as given */ }
  // Readable and unique: /opt/atlassian/jira -> opt-atlassian-jira-1a2b3c4d
  const slug = `${abs.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(-60) || 'root'}-${createHash('sha256').update(abs).digest('hex').slice(0, 8)}`;
  const dir = join(root, slug);
  return { dir, lock: join(dir, 'lock'), journal: join(dir, 'journal.json'), checkpoints: join(dir, 'checkpoints') };
}
