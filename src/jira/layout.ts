// Where things live in a Jira installation directory ($JIRA_INSTALL). Pure path math, no I/O.
import { join } from 'node:path';

export const DEFAULT_JIRA_DIR = '/opt/atlassian/jira';

export interface JiraPaths {
  root: string;
  webapp: string;
  webInf: string;
  webXml: string;
  lib: string;
  classes: string;
  appProperties: string;
  conf: string;
  serverXml: string;
  bin: string;
  userSh: string;
  setenvSh: string;
  startScript: string;
  stopScript: string;
  logs: string;
  catalinaOut: string;
}

export function jiraPaths(root: string): JiraPaths {
  const webapp = join(root, 'atlassian-jira');
  const webInf = join(webapp, 'WEB-INF');
  const bin = join(root, 'bin');
  const conf = join(root, 'conf');
  const logs = join(root, 'logs');
  return {
    root,
    webapp,
    webInf,
    webXml: join(webInf, 'web.xml'),
    lib: join(webInf, 'lib'),
    classes: join(webInf, 'classes'),
    appProperties: join(webInf, 'classes', 'jira-application.properties'),
    conf,
    serverXml: join(conf, 'server.xml'),
    bin,
    userSh: join(bin, 'user.sh'),
    setenvSh: join(bin, 'setenv.sh'),
    startScript: join(bin, 'start-jira.sh'),
    stopScript: join(bin, 'stop-jira.sh'),
    logs,
    catalinaOut: join(logs, 'catalina.out'),
  };
}
