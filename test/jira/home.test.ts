import { describe, expect, it } from 'vitest';
import { resolveJiraHome, type JiraHomeInput } from '../../src/jira/home.js';

const PROPS = '# written by the installer\njira.home = /var/atlassian/application-data/jira\n';

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
      input: { setenvSh: '#JIRA_HOME=""', systemdEnv: '[Service]\nType=forking\nUser=jira\nEnvironment=JAVA_HOME=/usr/lib/jvm/java-11 JIRA_HOME=/data/svc\n', appProperties: PROPS },
      home: '/data/svc',
      source: 'systemd',
    },
    {
      name: 'systemd quoted Environment= word',
      input: { systemdEnv: 'Environment="JIRA_HOME=/data/with space"\n' },
      home: '/data/with space',
      source: 'systemd',
    },
    {
      name: 'systemd EnvironmentFile form',
      input: { systemdEnv: '# env file\nJIRA_HOME="/data/envfile"\n' },
      home: '/data/envfile',
      source: 'systemd',
    },
    {
      name: 'setenv.sh beats the service environment (catalina.sh sources it last)',
      input: { setenvSh: 'JIRA_HOME=/from-setenv', systemdEnv: 'Environment=JIRA_HOME=/from-unit' },
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
