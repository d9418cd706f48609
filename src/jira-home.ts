// Where this Jira's home is, read from what runs it: the JIRA_HOME environment variable, bin/setenv.sh,
// the systemd unit running this install (Environment=, EnvironmentFile=), jira-application.properties.
// The rules live in src/jira/home.ts (pure); this module gathers the texts. systemd is asked only when
// neither the environment nor setenv.sh settles it, since it may mean running systemctl.
import { join, resolve } from 'node:path';
import { isDuoJiraError } from './errors.js';
import { quickFs as fs } from './fs/quick.js';
import { resolveJiraHome, type JiraHome } from './jira/home.js';
import type { JiraPaths } from './jira/layout.js';
import { parseProperties } from './jira/properties.js';
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
  let service: Awaited<ReturnType<typeof serviceEnvironment>>;
  try {
    service = await serviceEnvironment(paths.root, probes);
  } catch (e) {
    // Not fatal: the files may well be right. But say so, since the unit's JIRA_HOME would win.
    const said = isDuoJiraError(e)
      ? `${e.message} If a unit sets JIRA_HOME, pass --jira-home.`
      : `Could not ask systemd whether the unit running Jira sets JIRA_HOME (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); if it does, pass --jira-home.`;
    return { ...first, warnings: [...first.warnings, said] };
  }
  if (!service.env) return { ...first, warnings: [...service.warnings, ...first.warnings] };
  const r = resolveJiraHome({ ...input, systemd: service.env });
  const out = { ...r, warnings: [...service.warnings, ...r.warnings] };
  return r.source === 'systemd' ? { ...out, unit: service.env.initScript ? `${service.env.unit} (${service.env.initScript.path})` : service.env.unit } : out;
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
    return { root: home, warning: 'cluster.properties could not be parsed; using the local home for add-ons.' };
  }
}
