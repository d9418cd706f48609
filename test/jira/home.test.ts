import { describe, expect, it } from 'vitest';
import { resolveJiraHome, systemdWords, type JiraHomeInput, type ServiceEnvironment } from '../../src/jira/home.js';

const PROPS = '# written by the installer\njira.home = /var/atlassian/application-data/jira\n';

/** jira.service with these [Service] lines; the EnvironmentFile= lines it holds read `files` in order. */
function unit(service: string, ...files: Array<string | undefined>): ServiceEnvironment {
  const paths = [...service.matchAll(/^EnvironmentFile=-?(.+)$/gm)].map((m) => m[1]!);
  return { unit: 'jira.service', unitText: `# /etc/systemd/system/jira.service\n[Service]\n${service}`, envFiles: paths.map((path, i) => ({ path, text: files[i] })) };
}

describe('resolveJiraHome', () => {
  const cases: Array<{ name: string; input: JiraHomeInput; home?: string; source: string; warn?: RegExp }> = [
    {
      name: 'env JIRA_HOME wins over everything',
      input: { env: { JIRA_HOME: '/srv/jira' }, setenvSh: 'JIRA_HOME=/x', appProperties: PROPS },
      home: '/srv/jira',
      source: 'env',
    },
    {
      name: 'empty env JIRA_HOME is ignored',
      input: { env: { JIRA_HOME: '  ' }, appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'setenv.sh assignment with quotes and a trailing comment',
      input: { env: {}, setenvSh: '#JIRA_HOME=""\nJIRA_HOME="/data/jira home"   # moved\nexport JIRA_HOME\n', appProperties: PROPS },
      home: '/data/jira home',
      source: 'setenv.sh',
    },
    {
      name: 'setenv.sh export JIRA_HOME=…',
      input: { setenvSh: 'export JIRA_HOME=/data/jira\n' },
      home: '/data/jira',
      source: 'setenv.sh',
    },
    {
      name: "setenv.sh single quotes, indented inside an if",
      input: { setenvSh: "if true; then\n    JIRA_HOME='/data/j'\nfi\n" },
      home: '/data/j',
      source: 'setenv.sh',
    },
    {
      name: 'setenv.sh: last uncommented assignment wins',
      input: { setenvSh: 'JIRA_HOME=/a\nJIRA_HOME=/b\n# JIRA_HOME=/c\n' },
      home: '/b',
      source: 'setenv.sh',
    },
    {
      name: 'setenv.sh: commented-out only → falls through to properties',
      input: { setenvSh: '#JIRA_HOME=""\n# JIRA_HOME="/srv/x"\n', appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'setenv.sh: empty assignment → falls through',
      input: { setenvSh: 'JIRA_HOME=""\n', appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'setenv.sh: -Djira.home beats JIRA_HOME (system property first)',
      input: { setenvSh: 'JIRA_HOME=/env-home\nJVM_SUPPORT_RECOMMENDED_ARGS="-Xss1m -Djira.home=/prop-home"\n' },
      home: '/prop-home',
      source: 'setenv.sh',
    },
    {
      name: 'setenv.sh: value with a shell variable is skipped with a warning',
      input: { setenvSh: 'JIRA_HOME="$CATALINA_HOME/../home"\n', appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
      warn: /shell variables/,
    },
    {
      name: 'systemd Environment= line',
      input: { setenvSh: '#JIRA_HOME=""', systemd: unit('[Service]\nType=forking\nUser=jira\nEnvironment=JAVA_HOME=/usr/lib/jvm/java-11 JIRA_HOME=/data/svc\n'), appProperties: PROPS },
      home: '/data/svc',
      source: 'systemd',
    },
    {
      name: 'systemd quoted Environment= word',
      input: { systemd: unit('Environment="JIRA_HOME=/data/with space"\n') },
      home: '/data/with space',
      source: 'systemd',
    },
    {
      name: 'systemd EnvironmentFile form',
      input: { systemd: unit('EnvironmentFile=/etc/default/jira\n', '# env file\nJIRA_HOME="/data/envfile"\n') },
      home: '/data/envfile',
      source: 'systemd',
    },
    {
      name: 'systemd: quotes inside a word, as systemd unquotes them',
      input: { systemd: unit('Environment=JIRA_HOME="/data/da ta" JAVA_HOME=/usr/lib/jvm\n'), appProperties: PROPS },
      home: '/data/da ta',
      source: 'systemd',
    },
    {
      name: 'systemd: -Djira.home in CATALINA_OPTS beats JIRA_HOME, as in Jira',
      input: { systemd: unit('Environment=JIRA_HOME=/data/env\nEnvironment="CATALINA_OPTS=-Xmx2g -Djira.home=/data/prop"\n') },
      home: '/data/prop',
      source: 'systemd',
    },
    {
      name: 'systemd: EnvironmentFile overrides Environment=, spaces around = allowed',
      input: { systemd: unit('Environment=JIRA_HOME=/data/unit\nEnvironmentFile=-/etc/default/jira\n', '# Jira\nJIRA_HOME = /data/file  \n') },
      home: '/data/file',
      source: 'systemd',
    },
    {
      name: 'systemd: "export JIRA_HOME=" in an EnvironmentFile is ignored, as systemd ignores it',
      input: { systemd: unit('EnvironmentFile=/etc/default/jira\n', 'export JIRA_HOME=/data/exported\n'), appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
      warn: /systemd ignores "export JIRA_HOME=\/data\/exported"/,
    },
    {
      name: 'systemd: an empty Environment= in a drop-in clears what the unit set',
      input: { systemd: unit('Environment=JIRA_HOME=/data/old\n# /etc/systemd/system/jira.service.d/override.conf\n[Service]\nEnvironment=\n'), appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'systemd: UnsetEnvironment=JIRA_HOME removes it, wherever it came from',
      input: { systemd: unit('EnvironmentFile=/etc/default/jira\nUnsetEnvironment=JIRA_HOME\n', 'JIRA_HOME=/data/file\n'), appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'systemd: specifiers and variables are not expanded: ignored with a warning',
      input: { systemd: unit('Environment=JIRA_HOME=/data/%i\n'), appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
      warn: /jira\.service sets JIRA_HOME=\/data\/%i, which uses variables or specifiers/,
    },
    {
      name: 'systemd: an unreadable EnvironmentFile is said',
      input: { systemd: unit('EnvironmentFile=/etc/jira/secret.env\n', undefined), appProperties: PROPS },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
      warn: /reads \/etc\/jira\/secret\.env \(EnvironmentFile=\), which duo-jira could not read/,
    },
    {
      name: "systemd: a generated unit's init script exports JIRA_HOME after the unit's environment",
      input: { systemd: { ...unit('Environment=JIRA_HOME=/data/unit\n'), initScript: { path: '/etc/init.d/jira', text: '#!/bin/sh\nexport JIRA_HOME=/data/initd\ncd /opt/atlassian/jira/bin && ./start-jira.sh\n' } } },
      home: '/data/initd',
      source: 'systemd',
    },
    {
      name: 'setenv.sh beats the service environment (catalina.sh sources it last)',
      input: { setenvSh: 'JIRA_HOME=/from-setenv', systemd: unit('Environment=JIRA_HOME=/from-unit') },
      home: '/from-setenv',
      source: 'setenv.sh',
    },
    {
      name: 'properties with spaces and a commented line',
      input: { appProperties: '#jira.home = /old\njira.home     =   /var/atlassian/application-data/jira   \n' },
      home: '/var/atlassian/application-data/jira',
      source: 'jira-application.properties',
    },
    {
      name: 'properties: escaped Windows path',
      input: { appProperties: 'jira.home=C:\\\\Program Files\\\\Atlassian\\\\Application Data\\\\JIRA\n' },
      home: 'C:\\Program Files\\Atlassian\\Application Data\\JIRA',
      source: 'jira-application.properties',
    },
    {
      name: 'properties: forward-slash Windows path',
      input: { appProperties: 'jira.home=C:/Atlassian/Application Data/JIRA\n' },
      home: 'C:/Atlassian/Application Data/JIRA',
      source: 'jira-application.properties',
    },
    {
      name: 'properties: escaped drive colon',
      input: { appProperties: 'jira.home=C\\:\\\\JiraHome\n' },
      home: 'C:\\JiraHome',
      source: 'jira-application.properties',
    },
    {
      name: 'properties: unescaped Windows path is read like Java, with a warning',
      input: { appProperties: 'jira.home=C:\\Program Files\\Atlassian\\JIRA\n' },
      home: 'C:Program FilesAtlassianJIRA',
      source: 'jira-application.properties',
      warn: /line 1: jira.home = C:\\Program.*unescaped backslashes.*"C:Program FilesAtlassianJIRA"/,
    },
    {
      name: 'properties: empty jira.home → none',
      input: { appProperties: 'jira.home=\n' },
      source: 'none',
      warn: /Could not find JIRA_HOME/,
    },
    {
      name: 'properties: malformed unicode escape → warning, none',
      input: { appProperties: 'jira.home=\\u00zz\n' },
      source: 'none',
      warn: /could not be parsed/,
    },
    {
      name: 'nothing given',
      input: {},
      source: 'none',
      warn: /Pass it explicitly/,
    },
  ];

  it.each(cases)('$name', (c) => {
    const r = resolveJiraHome(c.input);
    expect(r.source).toBe(c.source);
    expect(r.home).toBe(c.home);
    if (c.warn) expect(r.warnings.join('\n')).toMatch(c.warn);
    else expect(r.warnings).toEqual([]);
  });
});

describe('systemdWords', () => {
  it.each([
    ['A=1 B=2', ['A=1', 'B=2']],
    ['"A=with space" B=2', ['A=with space', 'B=2']],
    ['A="with space"x', ['A=with spacex']],
    ["A='single \"q\"'", ['A=single "q"']],
    ['A=back\\ slash', ['A=back slash']],
    ['', []],
  ])('%s', (value, words) => {
    expect(systemdWords(value)).toEqual(words);
  });
});

