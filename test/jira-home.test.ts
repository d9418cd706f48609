// Finding $JIRA_HOME from what runs this Jira, including the systemd unit (Environment=, EnvironmentFile=):
// Jira prefers the JIRA_HOME environment variable to jira.home in jira-application.properties, so a home set
// by the unit wins over the properties file, exactly as when Jira starts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run as addon } from '../src/commands/addon.js';
import { run as doctor } from '../src/commands/doctor.js';
import { addonsRoot, findJiraHome } from '../src/jira-home.js';
import { jiraPaths, type JiraPaths } from '../src/jira/layout.js';
import type { DetectProbes } from '../src/service/detect.js';
import { makeTree as doctorTree, testCtx } from './doctor/ctx.js';
import { makeTree } from './support/tree.js';

/** A systemd with the given units (name → `systemctl cat` text); records every systemctl call. */
function systemd(units: Record<string, string>) {
  const calls: string[][] = [];
  const probes: Partial<DetectProbes> = {
    which: async (cmd) => (cmd === 'systemctl' ? '/usr/bin/systemctl' : undefined),
    systemdBooted: async () => true,
    systemctl: async (args) => {
      calls.push(args);
      if (args[0] === 'list-unit-files') return { exitCode: 0, stdout: Object.keys(units).map((u) => `${u} enabled enabled\n`).join('') };
      const text = units[args[1] ?? ''];
      return text === undefined ? { exitCode: 1, stdout: '' } : { exitCode: 0, stdout: text };
    },
  };
  return { probes, calls };
}

/** Atlassian's KB unit for `jiraDir`, with extra [Service] lines. */
function unit(jiraDir: string, ...service: string[]): string {
  return `# /etc/systemd/system/jira.service\n[Unit]\nDescription=Atlassian Jira\n\n[Service]\nType=forking\nUser=jira\n${service.map((l) => `${l}\n`).join('')}ExecStart=${jiraDir}/bin/start-jira.sh\nExecStop=${jiraDir}/bin/stop-jira.sh\n\n[Install]\nWantedBy=multi-user.target\n`;
}

async function jira(files: Record<string, string> = {}): Promise<{ root: string; paths: JiraPaths }> {
  const root = await makeTree({ 'jira/bin/': '', ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`jira/${k}`, v])) });
  return { root, paths: jiraPaths(join(root, 'jira')) };
}

const PROPS = 'atlassian-jira/WEB-INF/classes/jira-application.properties';

describe('findJiraHome and the systemd unit', () => {
  it('a JIRA_HOME set by the unit running this install wins over jira-application.properties', async () => {
    const { paths } = await jira({ [PROPS]: 'jira.home = /var/atlassian/application-data/old\n' });
    const { probes } = systemd({ 'jira.service': unit(paths.root, 'Environment="JIRA_HOME=/srv/jira-home" JVM_SUPPORT_RECOMMENDED_ARGS=-Xmx2g') });
    expect(await findJiraHome(paths, {}, probes)).toMatchObject({ home: '/srv/jira-home', source: 'systemd', unit: 'jira.service' });
  });

  it('an EnvironmentFile= overrides Environment= (as systemd applies them); a missing optional file is skipped', async () => {
    const { root, paths } = await jira();
    const envFile = join(root, 'etc-default-jira');
    await writeFile(envFile, '# Jira\nJIRA_HOME="/data/jira"\n');
    const { probes } = systemd({ 'jira.service': unit(paths.root, 'Environment=JIRA_HOME=/srv/jira-home', `EnvironmentFile=-${envFile}`, `EnvironmentFile=-${join(root, 'absent')}`) });
    expect(await findJiraHome(paths, {}, probes)).toMatchObject({ home: '/data/jira', source: 'systemd' });
  });

  it("another install's unit is not this Jira's environment", async () => {
    const { paths } = await jira({ [PROPS]: 'jira.home=/var/atlassian/application-data/jira\n' });
    const { probes } = systemd({ 'jira-test.service': unit('/opt/atlassian/jira-test', 'Environment=JIRA_HOME=/srv/test-home') });
    expect(await findJiraHome(paths, {}, probes)).toMatchObject({ home: '/var/atlassian/application-data/jira', source: 'jira-application.properties' });
  });

  it('systemd is not asked when the environment or bin/setenv.sh already says', async () => {
    const { paths } = await jira({ 'bin/setenv.sh': 'JIRA_HOME="/from/setenv"\n' });
    const { probes, calls } = systemd({ 'jira.service': unit('/elsewhere', 'Environment=JIRA_HOME=/srv/x') });
    expect(await findJiraHome(paths, {}, probes)).toMatchObject({ home: '/from/setenv', source: 'setenv.sh' });
    expect(await findJiraHome(paths, { JIRA_HOME: '/from/env' }, probes)).toMatchObject({ home: '/from/env', source: 'env' });
    expect(calls).toEqual([]);
  });

  it('a failing or silent systemctl leaves the answer of the files, and says that systemd could not be asked', async () => {
    const { paths } = await jira({ [PROPS]: 'jira.home=/var/atlassian/application-data/jira\n' });
    for (const systemctl of [async () => { throw new Error('Failed to connect to bus'); }, async () => ({ exitCode: undefined, stdout: '' })]) {
      const r = await findJiraHome(paths, {}, { ...systemd({}).probes, systemctl });
      expect(r).toMatchObject({ home: '/var/atlassian/application-data/jira', source: 'jira-application.properties' });
      expect(r.warnings.join('\n')).toMatch(/Could not ask systemd whether the unit running Jira sets JIRA_HOME \(Failed to connect to bus\); if it does, pass --jira-home|systemd is running but `systemctl list-unit-files .*` did not answer, so duo-jira cannot tell whether a systemd unit runs this Jira\. If a unit sets JIRA_HOME, pass --jira-home\./);
    }
  });

  it('of several units that mention this install, the one that starts Jira counts (not a backup job)', async () => {
    const { paths } = await jira({ [PROPS]: 'jira.home=/var/atlassian/application-data/jira\n' });
    const backup = `[Service]\nType=oneshot\nEnvironment=JIRA_HOME=/srv/stale\nExecStart=/usr/local/bin/backup ${paths.root}\n`;
    const { probes } = systemd({ 'jira-backup.service': backup, 'jira-software.service': unit(paths.root, 'Environment=JIRA_HOME=/srv/jira-home') });
    const r = await findJiraHome(paths, {}, probes);
    expect(r).toMatchObject({ home: '/srv/jira-home', source: 'systemd', unit: 'jira-software.service' });
    expect(r.warnings).toEqual([expect.stringMatching(/Several systemd units mention .* \(jira-backup\.service, jira-software\.service\); the Jira home is read from jira-software\.service/)]);
  });

  it('a SysV-generated unit: what its init script exports (SourcePath=)', async () => {
    const { root, paths } = await jira({ [PROPS]: 'jira.home=/var/atlassian/application-data/jira\n' });
    const script = join(root, 'init.d-jira');
    await writeFile(script, `#!/bin/sh\nexport JIRA_HOME=/srv/from-initd\ncd ${paths.root}/bin && ./start-jira.sh\n`);
    const { probes } = systemd({ 'jira.service': `# /run/systemd/generator.late/jira.service\n[Unit]\nSourcePath=${script}\n[Service]\nType=forking\nExecStart=${script} start\n` });
    expect(await findJiraHome(paths, {}, probes)).toMatchObject({ home: '/srv/from-initd', source: 'systemd', unit: `jira.service (${script})` });
  });
});

describe('doctor and addon use it', () => {
  it('doctor reports the home the unit sets, and where it came from', async () => {
    const t = await doctorTree();
    try {
      await writeFile(join(t.dir, PROPS), `jira.home = ${join(t.root, 'stale-home')}\n`);
      const { probes } = systemd({ 'jira.service': unit(t.dir, `Environment=JIRA_HOME=${t.home}`) });
      const c = testCtx(t.env);
      await doctor({ jiraDir: t.dir, offline: true, json: true, serviceProbes: probes }, c.ctx);
      const home = (JSON.parse(c.out()) as { checks: Array<{ id: string; status: string; finding: string }> }).checks.find((x) => x.id === 'jira.home')!;
      expect(home.finding).toBe(`${t.home} (from the environment of systemd unit jira.service) is readable`);
      expect(home.status).toBe('ok');
    } finally {
      await t.cleanup();
    }
  });

  it('addon status looks in the home the unit sets', async () => {
    const t = await doctorTree();
    try {
      await mkdir(join(t.root, 'stale-home'), { recursive: true });
      await writeFile(join(t.dir, PROPS), `jira.home = ${join(t.root, 'stale-home')}\n`);
      const { probes } = systemd({ 'jira.service': unit(t.dir, `Environment=JIRA_HOME=${t.home}`) });
      const c = testCtx(t.env);
      const code = await addon({ addonAction: 'status', jiraDir: t.dir, json: true, serviceProbes: probes }, c.ctx);
      expect(code, c.err()).toBe(0);
      expect(JSON.parse(c.out())).toMatchObject({ jiraHome: t.home, jiraHomeSource: 'systemd', jiraHomeUnit: 'jira.service', pluginsDir: t.plugins });
    } finally {
      await t.cleanup();
    }
  });
});

describe('addonsRoot (Data Center)', () => {
  it('add-ons live in the shared home that cluster.properties names, relative to the local home if not absolute', async () => {
    const home = await makeTree({ 'cluster.properties': 'jira.node.id = node1\njira.shared.home = ../shared-home\n' });
    expect(await addonsRoot(home)).toEqual({ root: join(home, '..', 'shared-home') });
    const server = await makeTree({ 'dbconfig.xml': '<jira-database-config/>\n' });
    expect(await addonsRoot(server)).toEqual({ root: server });
  });

  it('an unreadable cluster.properties: the local home, with a warning', async () => {
    const home = await makeTree({ 'cluster.properties': 'jira.shared.home = \\uZZZZ\n' });
    expect(await addonsRoot(home)).toEqual({ root: home, warning: expect.stringMatching(/cluster\.properties could not be parsed/) });
  });
});
