// Restart-method detection over temp trees, with systemd/which/root probes injected.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, EnvironmentError, UsageError, exitCodeOf } from '../../src/errors.js';
import { jiraPaths, type JiraPaths } from '../../src/jira/layout.js';
import { detectRestartMethod, type DetectProbes } from '../../src/service/detect.js';

const scratch = await mkdtemp(join(tmpdir(), 'duo-jira-detect-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let n = 0;
let base: string;
let initDir: string;

beforeEach(async () => {
  base = join(scratch, String(n++));
  initDir = join(base, 'etc', 'init.d');
  await mkdir(initDir, { recursive: true });
});

async function exe(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

async function jiraTree(opts: { scripts?: boolean; user?: string } = {}): Promise<JiraPaths> {
  const paths = jiraPaths(join(base, 'opt', 'atlassian', 'jira'));
  await mkdir(paths.bin, { recursive: true });
  if (opts.scripts !== false) {
    await exe(paths.startScript, '#!/bin/sh\nexit 0\n');
    await exe(paths.stopScript, '#!/bin/sh\nexit 0\n');
  }
  if (opts.user !== undefined) {
    await writeFile(paths.userSh, `# START INSTALLER MAGIC ! DO NOT EDIT !\nJIRA_USER="${opts.user}" ##\n# END INSTALLER MAGIC ! DO NOT EDIT !\n\nexport JIRA_USER\n`);
  }
  return paths;
}

function initScript(jiraDir: string): string {
  // Shape of the installer's /etc/init.d/jira.
  return `#!/bin/bash\n# JIRA Linux service controller script\ncd "${jiraDir}/bin"\ncase "$1" in\n  start) ./start-jira.sh ;;\n  stop) ./stop-jira.sh ;;\nesac\n`;
}

function probes(over: Partial<DetectProbes> = {}): Partial<DetectProbes> {
  return {
    initDirs: [initDir],
    which: async (cmd) => (cmd === 'runuser' ? '/usr/sbin/runuser' : undefined),
    systemdBooted: async () => false,
    systemctl: async () => ({ exitCode: 1, stdout: '' }),
    isRoot: true,
    userName: 'root',
    ...over,
  };
}

/** A systemd with the given units (name → `systemctl cat` text). */
function systemd(units: Record<string, string>): Partial<DetectProbes> {
  return {
    which: async (cmd) => (cmd === 'systemctl' ? '/usr/bin/systemctl' : cmd === 'runuser' ? '/usr/sbin/runuser' : undefined),
    systemdBooted: async () => true,
    systemctl: async (args) => {
      if (args[0] === 'list-unit-files') {
        return { exitCode: 0, stdout: Object.keys(units).map((u) => `${u} enabled enabled\n`).join('') };
      }
      const text = units[args[1] ?? ''];
      return text === undefined ? { exitCode: 1, stdout: '' } : { exitCode: 0, stdout: text };
    },
  };
}

function kbUnit(jiraDir: string): string {
  return `# /lib/systemd/system/jira.service\n[Unit]\nDescription=Atlassian Jira\nAfter=network.target\n\n[Service]\nType=forking\nUser=jira\nPIDFile=${jiraDir}/work/catalina.pid\nExecStart=${jiraDir}/bin/start-jira.sh\nExecStop=${jiraDir}/bin/stop-jira.sh\n\n[Install]\nWantedBy=multi-user.target\n`;
}

async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('bin scripts', () => {
  it('empty JIRA_USER: runs the scripts directly', async () => {
    const paths = await jiraTree({ user: '' });
    const m = await detectRestartMethod(paths, { probes: probes() });
    expect(m.kind).toBe('scripts');
    expect(m.stop).toEqual([paths.stopScript]);
    expect(m.start).toEqual([paths.startScript]);
    expect(m.runAs).toBeUndefined();
    expect(m.why).toMatch(/JIRA_USER in bin\/user\.sh is empty/);
  });

  it('JIRA_USER set and we are root: runuser -u <user> -- script, never plain root', async () => {
    const paths = await jiraTree({ user: 'jira' });
    const m = await detectRestartMethod(paths, { probes: probes() });
    expect(m.stop).toEqual(['/usr/sbin/runuser', '-u', 'jira', '--', paths.stopScript]);
    expect(m.start).toEqual(['/usr/sbin/runuser', '-u', 'jira', '--', paths.startScript]);
    expect(m.runAs).toBe('jira');
    expect(m.why).toMatch(/bin\/user\.sh names jira, so the scripts run as jira via runuser/);
  });

  it('JIRA_USER set and we already are that user: direct', async () => {
    const paths = await jiraTree({ user: 'jira' });
    const m = await detectRestartMethod(paths, { probes: probes({ isRoot: false, userName: 'jira' }) });
    expect(m.stop).toEqual([paths.stopScript]);
  });

  it('JIRA_USER set, we are someone else and not root: exit-3 error naming sudo', async () => {
    const paths = await jiraTree({ user: 'jira' });
    const err = await thrown(detectRestartMethod(paths, { probes: probes({ isRoot: false, userName: 'alice' }) }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/runs as "jira".*running as "alice"/);
    expect((err as EnvironmentError).hint).toMatch(/sudo/);
  });

  it('root without runuser refuses rather than running Jira as root', async () => {
    const paths = await jiraTree({ user: 'jira' });
    const err = await thrown(detectRestartMethod(paths, { probes: probes({ which: async () => undefined }) }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/runuser/);
  });
});

describe('init.d', () => {
  it('an /etc/init.d/jira that runs this install wins over the scripts', async () => {
    const paths = await jiraTree({ user: 'jira' });
    await exe(join(initDir, 'jira'), initScript(paths.root));
    const m = await detectRestartMethod(paths, { probes: probes() });
    expect(m.kind).toBe('initd');
    expect(m.stop).toEqual([join(initDir, 'jira'), 'stop']);
    expect(m.start).toEqual([join(initDir, 'jira'), 'start']);
    expect(m.why).toContain(join(initDir, 'jira'));
  });

  it('a script that refers to the install through a symlink still matches', async () => {
    const paths = await jiraTree();
    const link = join(base, 'jira-current');
    await symlink(paths.root, link);
    await exe(join(initDir, 'jira1'), initScript(link));
    expect((await detectRestartMethod(paths, { probes: probes() })).initScript).toBe(join(initDir, 'jira1'));
  });

  it("another instance's init script is not used (noted), the scripts are", async () => {
    const paths = await jiraTree();
    await exe(join(initDir, 'jira'), initScript('/opt/atlassian/jira-other'));
    const m = await detectRestartMethod(paths, { probes: probes() });
    expect(m.kind).toBe('scripts');
    expect(m.notes.join('\n')).toMatch(/init\.d\/jira does not refer to/);
  });

  it('service scripts need root', async () => {
    const paths = await jiraTree();
    await exe(join(initDir, 'jira'), initScript(paths.root));
    const err = await thrown(detectRestartMethod(paths, { probes: probes({ isRoot: false, userName: 'bob' }) }));
    expect(exitCodeOf(err)).toBe(EXIT.environment);
    expect((err as EnvironmentError).hint).toMatch(/sudo|--method scripts/);
  });
});

describe('systemd', () => {
  it('a unit whose ExecStart is this install is used (systemctl stop/start <unit>)', async () => {
    const paths = await jiraTree();
    const m = await detectRestartMethod(paths, {
      probes: probes(systemd({ 'confluence.service': kbUnit('/opt/atlassian/confluence'), 'jira.service': kbUnit(paths.root) })),
    });
    expect(m.kind).toBe('systemd');
    expect(m.stop).toEqual(['systemctl', 'stop', 'jira.service']);
    expect(m.start).toEqual(['systemctl', 'start', 'jira.service']);
  });

  it('a SysV-generated unit matches through its SourcePath script', async () => {
    const paths = await jiraTree();
    await exe(join(initDir, 'jira'), initScript(paths.root));
    const generated = `# /run/systemd/generator.late/jira.service\n[Unit]\nSourcePath=${join(initDir, 'jira')}\n[Service]\nExecStart=${join(initDir, 'jira')} start\n`;
    const m = await detectRestartMethod(paths, { probes: probes(systemd({ 'jira.service': generated })) });
    expect(m.kind).toBe('systemd');
    expect(m.unit).toBe('jira.service');
  });

  it('a systemd that does not answer stops detection (exit 3) instead of falling back to the scripts; --method scripts still works', async () => {
    const paths = await jiraTree();
    const silent = probes({ ...systemd({ 'jira.service': kbUnit(paths.root) }), systemctl: async () => ({ exitCode: undefined, stdout: '' }) });
    const err = await thrown(detectRestartMethod(paths, { probes: silent }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(exitCodeOf(err)).toBe(EXIT.environment);
    expect(err.message).toMatch(/systemd is running but `systemctl list-unit-files \*jira\* --type=service --no-legend` did not answer/);
    expect((err as EnvironmentError).hint).toMatch(/--method scripts\|initd/);
    expect((await detectRestartMethod(paths, { method: 'scripts', probes: silent })).kind).toBe('scripts');
  });

  it('of two units that mention the install, the one that starts Jira is used, and the other is noted', async () => {
    const paths = await jiraTree();
    const backup = `[Service]\nType=oneshot\nExecStart=/usr/local/bin/backup ${paths.root}\n`;
    const m = await detectRestartMethod(paths, { probes: probes(systemd({ 'jira.service': backup, 'jira-software.service': kbUnit(paths.root) })) });
    expect(m.unit).toBe('jira-software.service');
    expect(m.notes).toContainEqual(expect.stringMatching(/systemd unit jira\.service also mentions .* but does not start Jira there/));
  });

  it('units are not even listed when systemd is not PID 1', async () => {
    const paths = await jiraTree();
    const m = await detectRestartMethod(paths, { probes: probes({ ...systemd({ 'jira.service': kbUnit(paths.root) }), systemdBooted: async () => false }) });
    expect(m.kind).toBe('scripts');
  });
});

describe('overrides and nothing found', () => {
  it('--method scripts skips services', async () => {
    const paths = await jiraTree();
    await exe(join(initDir, 'jira'), initScript(paths.root));
    expect((await detectRestartMethod(paths, { method: 'scripts', probes: probes() })).kind).toBe('scripts');
  });

  it('--method initd with a lone init script that does not name the dir uses it', async () => {
    const paths = await jiraTree();
    await exe(join(initDir, 'jira'), '#!/bin/sh\n. /etc/default/jira\n');
    const m = await detectRestartMethod(paths, { method: 'initd', probes: probes() });
    expect(m.initScript).toBe(join(initDir, 'jira'));
  });

  it('an unknown --method is a usage error (exit 2)', async () => {
    const paths = await jiraTree();
    const err = await thrown(detectRestartMethod(paths, { method: 'docker', probes: probes() }));
    expect(err).toBeInstanceOf(UsageError);
    expect(exitCodeOf(err)).toBe(EXIT.usage);
  });

  it('nothing at all: exit 3, and the message lists exactly what was looked for', async () => {
    const paths = await jiraTree({ scripts: false });
    const err = await thrown(detectRestartMethod(paths, { probes: probes({ ...systemd({}), initDirs: [initDir] }) }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(exitCodeOf(err)).toBe(EXIT.environment);
    expect(err.message).toContain(`Found no way to restart Jira at ${paths.root}`);
    expect(err.message).toContain("systemd units matching '*jira*'");
    expect(err.message).toContain(join(initDir, 'jira*'));
    expect(err.message).toContain(paths.stopScript);
    expect(err.message).toContain(paths.startScript);
    expect(err.message).toMatch(/missing or not executable/);
  });

  it('nothing, without systemd: says why units were not probed', async () => {
    const paths = await jiraTree({ scripts: false });
    const err = await thrown(detectRestartMethod(paths, { probes: probes() }));
    expect(err.message).toMatch(/systemd unit jira\.service and '\*jira\*' units: skipped, systemctl is not installed/);
  });

  it('--method systemd on a machine without systemd: exit 3', async () => {
    const paths = await jiraTree();
    const err = await thrown(detectRestartMethod(paths, { method: 'systemd', probes: probes() }));
    expect(exitCodeOf(err)).toBe(EXIT.environment);
    expect(err.message).toMatch(/skipped, systemctl is not installed/);
  });
});
