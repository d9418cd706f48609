// Where this Jira's home is, read from what runs it: the JIRA_HOME environment variable, bin/setenv.sh,
// the systemd unit running this install (Environment=, EnvironmentFile=), jira-application.properties.
// The rules live in src/jira/home.ts (pure); this module gathers the texts. systemd is asked only when
// neither the environment nor setenv.sh settles it, since it may mean running systemctl.
import { quickFs as fs } from './fs/quick.js';
import { resolveJiraHome, type JiraHome } from './jira/home.js';
import type { JiraPaths } from './jira/layout.js';
import { parseProperties } from './jira/properties.js';
import { join, resolve } from 'node:path';
import { serviceEnvironment, type DetectProbes } from './service/detect.js';

export interface FoundJiraHome extends JiraHome {
  /** The systemd unit that set it, when source is 'systemd'. */
  unit?: string;
}

export async function findJiraHome(paths: JiraPaths, env: Record<string, string | undefined>, probes?: Partial<DetectProbes>): Promise<FoundJiraHome> {
  const input = {
    env,
    setenvSh: await fs.readFile(paths.setenvSh, 'utf8').catch(() => undefined),
    appProperties: await fs.readFile(paths.appProperties, 'utf8').catch(() => undefined),
  };
  const first = resolveJiraHome(input);
  if (first.source === 'env' || first.source === 'setenv.sh') return first;
  // A failing systemctl must not hide the answer the files gave.
  const service = await serviceEnvironment(paths.root, probes).catch(() => undefined);
  if (!service) return first;
  const r = resolveJiraHome({ ...input, systemdEnv: service.text });
  return r.source === 'systemd' ? { ...r, unit: service.unit } : r;
}


/**
 * Where add-ons live under a home: on Data Center the shared home (jira.shared.home in the local home's
 * cluster.properties), else the home itself.
 */
export async function addonsRoot(home: string): Promise<{ root: string; warning?: string }> {
  const cluster = await fs.readFile(join(home, 'cluster.properties'), 'utf8').catch(() => undefined);
  if (cluster === undefined) return { root: home };
  try {
    const shared = parseProperties(cluster).get('jira.shared.home')?.trim();
    return { root: shared ? resolve(home, shared) : home };
  } catch {
    return { root: home, warning: 'cluster.properties could not be parsed; looking for add-ons in the local home.' };
  }
}
