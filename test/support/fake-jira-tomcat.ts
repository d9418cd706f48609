// A "fake Jira" that is a real Tomcat: a temp tree laid out like $JIRA_INSTALL (atlassian-jira/ webapp
// with a Jira-shaped web.xml, conf/server.xml, bin/start-jira.sh…) run by Debian's Tomcat 10 with
// CATALINA_BASE=<tree>. It exists to prove that the web.xml and jars duo-jira writes are actually loaded
// by a servlet container, in the right filter order, with the right init-params — no mock can show that.
//
// Test-only Java classes (test/tomcat/java) are compiled with javac against Tomcat's jakarta servlet API
// and cached (keyed by source hash) in the OS temp dir, so only the first test run pays for javac.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { runCommand } from '../../src/service/exec.js';

export const CATALINA_HOME = '/usr/share/tomcat10';
const SERVLET_API_JAR = join(CATALINA_HOME, 'lib', 'servlet-api.jar');
const JAVA_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'tomcat', 'java');

/** The Jira version the fake tree claims (WEB-INF/lib/jira-api-<v>.jar, pom.properties). */
export const FAKE_JIRA_VERSION = '8.20.30';
/** File names in the artifacts dir, as in Duo's legacy duo_jira release (`etc/`). */
export const DUO_ARTIFACTS = {
  filter: 'duo-filter-1.4.3.jar',
  web: 'DuoWeb-1.3.jar',
  client: 'duo-client-0.3.0.jar',
  plugin: 'duo-twofactor-1.4.3.jar',
} as const;
export const DUO_FILTER_CLASS = 'com.duosecurity.seraph.filter.DuoAuthFilter';

/** Keys the stand-in DuoAuthFilter accepts (ikey 20, skey 40, akey ≥ 40, host non-empty). Not real secrets. */
export const VALID_DUO_KEYS = {
  ikey: 'DIWJ8X6AEYOR5OMC6TQ1',
  skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
  akey: 'useacustomerprovidedapplicationsecretkeyhere0123',
  host: 'api-abcd1234.duosecurity.com',
} as const;
export type DuoKeys = { ikey: string; skey: string; akey: string; host: string };

export interface HttpResult {
  /** 0 when nothing answered (connection refused, reset or timed out); `body` then holds the error. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FakeJira {
  /** The temp root holding `jira/` and `release/`; removed by cleanup(). */
  root: string;
  /** $JIRA_INSTALL: pass this as --jira-dir. */
  dir: string;
  /** Duo release artifacts (`<root>/release/etc`): duo-filter, DuoWeb, duo-client, duo-twofactor jars. */
  artifactsDir: string;
  port: number;
  shutdownPort: number;
  /** http://127.0.0.1:<port> (context path is empty, as in a default Jira install). */
  baseUrl: string;
  catalinaOut: string;
  pidFile: string;
  get(path: string): Promise<HttpResult>;
  /** Runs bin/start-jira.sh (as the current user) and returns once the script has exited. */
  start(): Promise<void>;
  /** Runs bin/stop-jira.sh and waits (bounded) until the Tomcat process is gone. */
  stop(): Promise<void>;
  /** Waits until Tomcat logs "Server startup in" after the last start(); false on timeout. */
  waitForServerStartup(timeoutMs?: number): Promise<boolean>;
  /** Polls /status until RUNNING or timeout; returns the last state seen ("RUNNING", "HTTP 404", "no answer"…). */
  waitForRunning(timeoutMs?: number): Promise<string>;
  /** catalina.out written since the last start(). */
  logSinceStart(): Promise<string>;
  /** SIGKILL the Tomcat of this tree (pid file, else /proc scan for its catalina.base) and wait until it is gone. */
  stopHard(): Promise<void>;
  /** stopHard() then delete the temp root. Safe to call twice. */
  cleanup(): Promise<void>;
}

export function haveTomcat(): { ok: boolean; why?: string } {
  if (!existsSync(join(CATALINA_HOME, 'bin', 'catalina.sh'))) {
    return { ok: false, why: `${CATALINA_HOME} not found: run .ci/install-deps.sh as root (Debian tomcat10)` };
  }
  if (!existsSync(SERVLET_API_JAR)) return { ok: false, why: `${SERVLET_API_JAR} not found` };
  const onPath = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'javac')));
  if (!onPath) return { ok: false, why: 'javac not on PATH: install a JDK (default-jdk-headless)' };
  return { ok: true };
}

export interface FakeJiraOptions {
  /**
   * JIRA_USER for bin/user.sh (default empty = whoever runs the scripts). When set, the tree is prepared the
   * way Atlassian's installer does it: logs/, work/, temp/ owned by that user, everything else root's and
   * world-readable. Needs root; use an existing unprivileged account such as "nobody".
   */
  jiraUser?: string;
}

export async function createFakeJira(opts: FakeJiraOptions = {}): Promise<FakeJira> {
  const classes = await compiledClasses();
  const root = await mkdtemp(join(tmpdir(), 'duo-jira-fake-'));
  const dir = join(root, 'jira');
  const artifactsDir = join(root, 'release', 'etc');
  const [port, shutdownPort] = await freePorts(2);
  await writeTree(dir, classes.fakeJira, port!, shutdownPort!);
  await writeArtifacts(artifactsDir, classes.duoFilter);
  if (opts.jiraUser) await runAsUser(root, dir, opts.jiraUser);
  return handle(root, dir, artifactsDir, port!, shutdownPort!);
}

async function runAsUser(root: string, dir: string, user: string): Promise<void> {
  await writeFile(join(dir, 'bin', 'user.sh'), USER_SH.replace('JIRA_USER=""', `JIRA_USER="${user}"`));
  await chmod(root, 0o755); // mkdtemp makes it 0700, which the Jira user could not even traverse
  const { stdout: uid } = await execa('id', ['-u', user]);
  const { stdout: gid } = await execa('id', ['-g', user]);
  for (const d of ['logs', 'work', 'temp']) await chown(join(dir, d), Number(uid), Number(gid));
}

/** Web.xml text with a duoauth filter + mapping inserted right after security's, the way Duo's docs say to do it by hand. */
export function handInsertDuo(webXml: string, keys: DuoKeys = VALID_DUO_KEYS): string {
  const filter =
    `\n    <filter>\n        <filter-name>duoauth</filter-name>\n        <filter-class>${DUO_FILTER_CLASS}</filter-class>\n` +
    (['ikey', 'skey', 'akey', 'host'] as const)
      .map((k) => `        <init-param>\n            <param-name>${k}</param-name>\n            <param-value>${keys[k]}</param-value>\n        </init-param>\n`)
      .join('') +
    `    </filter>`;
  const mapping =
    `\n    <filter-mapping>\n        <filter-name>duoauth</filter-name>\n        <url-pattern>/*</url-pattern>\n` +
    `        <dispatcher>FORWARD</dispatcher>\n        <dispatcher>REQUEST</dispatcher>\n    </filter-mapping>`;
  const filterEnd = webXml.indexOf('</filter>', webXml.indexOf(SECURITY_FILTER_MARK)) + '</filter>'.length;
  let out = webXml.slice(0, filterEnd) + filter + webXml.slice(filterEnd);
  const mapEnd = out.indexOf('</filter-mapping>', out.indexOf(SECURITY_MAPPING_MARK)) + '</filter-mapping>'.length;
  out = out.slice(0, mapEnd) + mapping + out.slice(mapEnd);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Compiling the test classes

interface CompiledClasses {
  fakeJira: Zippable;
  duoFilter: Zippable;
  /** A DuoAuthFilter whose init() always throws: a Duo filter that rejects its configuration. */
  rejectingDuoFilter: Zippable;
}

const JAVA_PARTS = ['fake-jira', 'duo-filter', 'duo-filter-rejecting'] as const;

let compiled: Promise<CompiledClasses> | undefined;

function compiledClasses(): Promise<CompiledClasses> {
  compiled ??= compileOnce();
  return compiled;
}

async function compileOnce(): Promise<CompiledClasses> {
  const sources = listFiles(JAVA_SRC).filter((f) => f.endsWith('.java'));
  const hash = createHash('sha256');
  for (const f of sources) hash.update(relative(JAVA_SRC, f)).update(readFileSync(f));
  const cacheDir = join(tmpdir(), `duo-jira-fake-jira-classes-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(join(cacheDir, 'done'))) await compileInto(cacheDir);
  return {
    fakeJira: zippableDir(join(cacheDir, 'fake-jira')),
    duoFilter: zippableDir(join(cacheDir, 'duo-filter')),
    rejectingDuoFilter: zippableDir(join(cacheDir, 'duo-filter-rejecting')),
  };
}

// Compile into a private dir and rename it into place, so two vitest workers racing here never see half a cache.
async function compileInto(cacheDir: string): Promise<void> {
  const work = await mkdtemp(`${cacheDir}.tmp-`);
  for (const part of JAVA_PARTS) {
    const srcs = listFiles(join(JAVA_SRC, part)).filter((f) => f.endsWith('.java'));
    // --release 11: Tomcat 10.1 needs Java 11+, and the classes then also run on whatever JRE Tomcat picks.
    await execa('javac', ['--release', '11', '-nowarn', '-cp', SERVLET_API_JAR, '-d', join(work, part), ...srcs], {
      stdin: 'ignore',
      timeout: 120_000,
    });
  }
  await writeFile(join(work, 'done'), '');
  try {
    await rename(work, cacheDir);
  } catch {
    await rm(work, { recursive: true, force: true }); // another worker won the race; its cache is as good
  }
}

function listFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(d, e.name)) : [join(d, e.name)],
  );
}

function zippableDir(d: string): Zippable {
  const out: Zippable = {};
  for (const f of listFiles(d)) out[relative(d, f).split(sep).join('/')] = new Uint8Array(readFileSync(f));
  return out;
}

const MANIFEST = 'Manifest-Version: 1.0\r\nCreated-By: duo-jira test harness\r\n\r\n';

function jar(entries: Zippable): Uint8Array {
  return zipSync({ 'META-INF/MANIFEST.MF': strToU8(MANIFEST), ...entries });
}

// ---------------------------------------------------------------------------------------------------
// The tree

async function writeTree(dir: string, fakeJiraClasses: Zippable, port: number, shutdownPort: number): Promise<void> {
  const dirs = ['bin', 'conf', 'logs', 'temp', 'work', 'lib', 'atlassian-jira/WEB-INF/lib', 'atlassian-jira/WEB-INF/classes'];
  dirs.push('atlassian-jira/META-INF/maven/com.atlassian.jira/atlassian-jira-webapp');
  for (const d of dirs) await mkdir(join(dir, d), { recursive: true });
  const home = join(dirname(dir), 'home');
  await mkdir(home, { recursive: true });
  const files: Record<string, string | Uint8Array> = {
    'atlassian-jira/WEB-INF/web.xml': WEB_XML,
    [`atlassian-jira/WEB-INF/lib/jira-core-${FAKE_JIRA_VERSION}.jar`]: jar(fakeJiraClasses),
    [`atlassian-jira/WEB-INF/lib/jira-api-${FAKE_JIRA_VERSION}.jar`]: jar({}),
    'atlassian-jira/WEB-INF/classes/jira-application.properties': `jira.home = ${home}\n`,
    'atlassian-jira/META-INF/maven/com.atlassian.jira/atlassian-jira-webapp/pom.properties':
      `version=${FAKE_JIRA_VERSION}\ngroupId=com.atlassian.jira\nartifactId=atlassian-jira-webapp\n`,
    'conf/server.xml': serverXml(port, shutdownPort),
    'conf/web.xml': GLOBAL_WEB_XML,
    'conf/catalina.properties': CATALINA_PROPERTIES,
    'conf/logging.properties': LOGGING_PROPERTIES,
    'bin/user.sh': USER_SH,
    'bin/setenv.sh': SETENV_SH,
    'bin/start-jira.sh': startStopScript('start'),
    'bin/stop-jira.sh': startStopScript('stop'),
  };
  for (const [rel, content] of Object.entries(files)) await writeFile(join(dir, rel), content);
  for (const s of ['user.sh', 'setenv.sh', 'start-jira.sh', 'stop-jira.sh']) await chmod(join(dir, 'bin', s), 0o755);
}

async function writeArtifacts(artifactsDir: string, duoFilterClasses: Zippable): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await writeFile(join(artifactsDir, DUO_ARTIFACTS.filter), jar(duoFilterClasses));
  await writeFile(join(artifactsDir, DUO_ARTIFACTS.web), jar({ 'com/duosecurity/duoweb/README.txt': strToU8('stand-in\n') }));
  await writeFile(join(artifactsDir, DUO_ARTIFACTS.client), jar({ 'com/duosecurity/client/README.txt': strToU8('stand-in\n') }));
  await writeFile(
    join(artifactsDir, DUO_ARTIFACTS.plugin),
    jar({
      'atlassian-plugin.xml': strToU8(
        '<atlassian-plugin key="com.duosecurity.jira.plugins.duo-twofactor" name="Duo Two-Factor" plugins-version="2">\n' +
          '  <plugin-info><version>1.4.3</version></plugin-info>\n</atlassian-plugin>\n',
      ),
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Running it

function handle(root: string, dir: string, artifactsDir: string, port: number, shutdownPort: number): FakeJira {
  const baseUrl = `http://127.0.0.1:${port}`;
  const catalinaOut = join(dir, 'logs', 'catalina.out');
  const pidFile = join(dir, 'work', 'catalina.pid');
  let logOffset = 0;
  let cleaned = false;

  const logSinceStart = async (): Promise<string> => {
    const buf = await readFile(catalinaOut).catch(() => Buffer.alloc(0));
    return buf.subarray(Math.min(logOffset, buf.length)).toString('utf8');
  };

  const self: FakeJira = {
    root,
    dir,
    artifactsDir,
    port,
    shutdownPort,
    baseUrl,
    catalinaOut,
    pidFile,
    get: (path) => httpGet(baseUrl + path),
    async start() {
      logOffset = await stat(catalinaOut).then((s) => s.size, () => 0);
      await runScript(join(dir, 'bin', 'start-jira.sh'));
    },
    async stop() {
      await runScript(join(dir, 'bin', 'stop-jira.sh'));
      await waitUntil(() => tomcatPids(dir, pidFile).length === 0, 30_000);
    },
    async waitForServerStartup(timeoutMs = 60_000) {
      return waitUntil(async () => /Server startup in/.test(await logSinceStart()), timeoutMs);
    },
    async waitForRunning(timeoutMs = 60_000) {
      let last = 'no answer';
      await waitUntil(async () => {
        last = stateOf(await self.get('/status'));
        return last === 'RUNNING';
      }, timeoutMs);
      return last;
    },
    logSinceStart,
    async stopHard() {
      const pids = tomcatPids(dir, pidFile);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await waitUntil(() => tomcatPids(dir, pidFile).length === 0, 10_000);
      await rm(pidFile, { force: true });
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await self.stopHard();
      await rm(root, { recursive: true, force: true });
    },
  };
  return self;
}

function stateOf(r: HttpResult): string {
  if (r.status === 0) return 'no answer';
  try {
    const state = (JSON.parse(r.body) as { state?: unknown }).state;
    if (typeof state === 'string') return state;
  } catch {
    // not JSON: Tomcat's 404 page when the webapp failed to start
  }
  return `HTTP ${r.status}`;
}

async function httpGet(url: string): Promise<HttpResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: await res.text() };
  } catch (err) {
    return { status: 0, headers: {}, body: String((err as Error & { cause?: unknown }).cause ?? err) };
  }
}

async function runScript(script: string): Promise<void> {
  const r = await runCommand([script], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${script} exited ${r.exitCode ?? 'by signal'}: ${r.spawnError ?? r.output}`);
}

/** Pids of the Tomcat serving this tree: the pid file if its process is alive, else a /proc scan by catalina.base. */
function tomcatPids(dir: string, pidFile: string): number[] {
  const fromFile = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '', 10);
  const pids = new Set<number>();
  if (Number.isInteger(fromFile) && alive(fromFile)) pids.add(fromFile);
  const marker = `-Dcatalina.base=${dir}\0`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.add(Number(name));
    } catch {
      // raced with exit
    }
  }
  return [...pids].filter(alive);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) but is gone for our purposes.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const s = createServer();
      return new Promise<ReturnType<typeof createServer>>((res, rej) => {
        s.once('error', rej);
        s.listen(0, '127.0.0.1', () => res(s));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

// ---------------------------------------------------------------------------------------------------
// File contents

const SECURITY_FILTER_MARK = '<filter-name>security</filter-name>\n        <filter-class>';
const SECURITY_MAPPING_MARK = '<filter-name>security</filter-name>\n        <url-pattern>';

function pluginFilter(location: string, dispatcher: string): string {
  return `    <filter>
        <filter-name>filter-plugin-dispatcher-${location}-${dispatcher.toLowerCase()}</filter-name>
        <filter-class>com.atlassian.plugin.servlet.filter.ServletFilterModuleContainerFilter</filter-class>
        <init-param>
            <param-name>location</param-name>
            <param-value>${location}</param-value>
        </init-param>
        <init-param>
            <param-name>dispatcher</param-name>
            <param-value>${dispatcher}</param-value>
        </init-param>
    </filter>
`;
}

function pluginMapping(location: string, dispatcher: string): string {
  return `    <filter-mapping>
        <filter-name>filter-plugin-dispatcher-${location}-${dispatcher.toLowerCase()}</filter-name>
        <url-pattern>/*</url-pattern>
        <dispatcher>${dispatcher}</dispatcher>
    </filter-mapping>
`;
}

// Shaped like Jira 7.x/8.x's web.xml (javaee 3.0, metadata-complete, empty absolute-ordering, filters then
// mappings as contiguous blocks, a comment inside security's mapping), cut down to the filters around security.
const WEB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://java.sun.com/xml/ns/javaee
         http://java.sun.com/xml/ns/javaee/web-app_3_0.xsd"
         version="3.0" metadata-complete="true">
    <description>Fake JIRA for duo-jira tests</description>
    <absolute-ordering />
    <display-name>JIRA</display-name>

    <context-param>
        <param-name>jira.context.name</param-name>
        <param-value>jira</param-value>
    </context-param>

    <!-- Filters. Order of filter-mapping elements below determines execution order. -->
${pluginFilter('before-login', 'REQUEST')}${pluginFilter('before-login', 'FORWARD')}    <filter>
        <filter-name>login</filter-name>
        <filter-class>com.atlassian.jira.web.filters.JiraLoginFilter</filter-class>
    </filter>
    <filter>
        <filter-name>trustedapps</filter-name>
        <filter-class>com.atlassian.jira.security.auth.trustedapps.TrustedApplicationFilter</filter-class>
    </filter>
    <filter>
        <filter-name>security</filter-name>
        <filter-class>com.atlassian.jira.security.JiraSecurityFilter</filter-class>
    </filter>
    <filter>
        <filter-name>mauevent</filter-name>
        <filter-class>com.atlassian.jira.web.filters.MauEventFilter</filter-class>
    </filter>
${pluginFilter('before-decoration', 'REQUEST')}    <filter>
        <filter-name>JiraLastFilter</filter-name>
        <filter-class>com.atlassian.jira.web.filters.JiraLastFilter</filter-class>
    </filter>

${pluginMapping('before-login', 'REQUEST')}${pluginMapping('before-login', 'FORWARD')}    <filter-mapping>
        <filter-name>login</filter-name>
        <url-pattern>/*</url-pattern>
        <dispatcher>REQUEST</dispatcher>
        <dispatcher>FORWARD</dispatcher>
    </filter-mapping>
    <filter-mapping>
        <filter-name>trustedapps</filter-name>
        <url-pattern>/*</url-pattern>
    </filter-mapping>
    <filter-mapping>
        <filter-name>security</filter-name>
        <url-pattern>/*</url-pattern>
        <dispatcher>REQUEST</dispatcher>
        <dispatcher>FORWARD</dispatcher>
        <!-- we want security to be applied after urlrewrites, for example -->
    </filter-mapping>
    <filter-mapping>
        <filter-name>mauevent</filter-name>
        <url-pattern>/*</url-pattern>
        <dispatcher>REQUEST</dispatcher>
    </filter-mapping>
${pluginMapping('before-decoration', 'REQUEST')}    <filter-mapping>
        <filter-name>JiraLastFilter</filter-name>
        <url-pattern>/*</url-pattern>
    </filter-mapping>

    <servlet>
        <servlet-name>status</servlet-name>
        <servlet-class>com.atlassian.fakejira.StatusServlet</servlet-class>
    </servlet>
    <servlet>
        <servlet-name>chain</servlet-name>
        <servlet-class>com.atlassian.fakejira.ChainServlet</servlet-class>
    </servlet>
    <servlet-mapping>
        <servlet-name>status</servlet-name>
        <url-pattern>/status</url-pattern>
    </servlet-mapping>
    <servlet-mapping>
        <servlet-name>chain</servlet-name>
        <url-pattern>/</url-pattern>
    </servlet-mapping>

    <session-config>
        <session-timeout>300</session-timeout>
    </session-config>
</web-app>
`;

// Like Jira's server.xml (one HTTP connector, Context docBase → atlassian-jira), bound to loopback, with jar
// scanning and session persistence off so startup stays ~seconds on 2 cores.
function serverXml(port: number, shutdownPort: number): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Server port="${shutdownPort}" shutdown="SHUTDOWN">
    <Service name="Catalina">
        <Connector port="${port}" address="127.0.0.1" relaxedPathChars="[]|" relaxedQueryChars="[]|{}^&#x5c;&#x60;&quot;&lt;&gt;"
                   maxThreads="20" minSpareThreads="2" connectionTimeout="20000" enableLookups="false"
                   maxHttpHeaderSize="8192" protocol="HTTP/1.1" useBodyEncodingForURI="true" redirectPort="8443"
                   acceptCount="10" disableUploadTimeout="true" bindOnInit="false"/>
        <Engine name="Catalina" defaultHost="localhost">
            <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" deployOnStartup="false">
                <Context path="" docBase="\${catalina.base}/atlassian-jira" reloadable="false" useHttpOnly="true">
                    <Manager pathname=""/>
                    <JarScanner scanClassPath="false" scanManifest="false" scanAllDirectories="false"/>
                </Context>
            </Host>
        </Engine>
    </Service>
</Server>
`;
}

// Tomcat merges conf/web.xml into every webapp; an empty one skips Jasper and the default servlet (the
// fake's ChainServlet is mapped to "/" instead).
const GLOBAL_WEB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"/>
`;

const CATALINA_PROPERTIES = `package.access=sun.,org.apache.catalina.,org.apache.coyote.,org.apache.jasper.,org.apache.tomcat.
package.definition=sun.,java.,org.apache.catalina.,org.apache.coyote.,org.apache.jasper.,org.apache.naming.,org.apache.tomcat.
common.loader="\${catalina.base}/lib","\${catalina.base}/lib/*.jar","\${catalina.home}/lib","\${catalina.home}/lib/*.jar"
server.loader=
shared.loader=
tomcat.util.scan.StandardJarScanFilter.jarsToSkip=*
tomcat.util.scan.StandardJarScanFilter.jarsToScan=
tomcat.util.buf.StringCache.byte.enabled=true
`;

// Everything to the console, i.e. catalina.out, where duo-jira's diagnostics look.
const LOGGING_PROPERTIES = `handlers = java.util.logging.ConsoleHandler
.handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = FINE
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
java.util.logging.ConsoleHandler.encoding = UTF-8
`;

// Same form as the installer's user.sh; empty JIRA_USER = run as whoever calls start-jira.sh (tarball style).
const USER_SH = `# START INSTALLER MAGIC ! DO NOT EDIT !
JIRA_USER="" ##
# END INSTALLER MAGIC ! DO NOT EDIT !

export JIRA_USER
`;

const SETENV_SH = `# Sourced by catalina.sh. Small heap and quick JIT: this fake only has to start fast on 2 cores.
CATALINA_PID="$CATALINA_BASE/work/catalina.pid"
CATALINA_OPTS="-Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.security.egd=file:/dev/./urandom $CATALINA_OPTS"
export CATALINA_PID CATALINA_OPTS
`;

// Same user switching as Atlassian's start-jira.sh / stop-jira.sh (§2 of the reference), but driving
// Debian's Tomcat 10 with this tree as CATALINA_BASE.
function startStopScript(action: 'start' | 'stop'): string {
  const args = action === 'start' ? 'start' : 'stop 20 -force';
  return `#!/bin/sh
# Fake Jira ${action}-jira.sh (duo-jira test harness)
PRGDIR=$(cd "$(dirname "$0")" && pwd)
. "$PRGDIR/user.sh"
CATALINA_HOME=${CATALINA_HOME}
CATALINA_BASE=$(dirname "$PRGDIR")
CATALINA_OUT="$CATALINA_BASE/logs/catalina.out"
export CATALINA_HOME CATALINA_BASE CATALINA_OUT
if [ -z "$JIRA_USER" ] || [ "$(id -un)" = "$JIRA_USER" ]; then
  exec "$CATALINA_HOME/bin/catalina.sh" ${args}
elif [ "$(id -u)" -ne 0 ]; then
  echo "JIRA has been installed to run as $JIRA_USER so please sudo run this to enable switching to that user"
  exit 1
else
  exec /sbin/runuser -m "$JIRA_USER" -c "$CATALINA_HOME/bin/catalina.sh ${args}"
fi
`;
}

/**
 * A second Duo release next to the tree (`<root>/release-rejecting/etc`), identical except that its
 * duo-filter jar holds a DuoAuthFilter that refuses every configuration: installing it makes the web app
 * fail to start. Returns the artifacts dir.
 */
export async function writeRejectingArtifacts(fake: Pick<FakeJira, 'root' | 'artifactsDir'>): Promise<string> {
  const { rejectingDuoFilter } = await compiledClasses();
  const dir = join(fake.root, 'release-rejecting', 'etc');
  await cp(fake.artifactsDir, dir, { recursive: true });
  await writeFile(join(dir, DUO_ARTIFACTS.filter), jar(rejectingDuoFilter));
  return dir;
}

/** Copies the stand-in duo-filter jar into WEB-INF/lib, as a person following Duo's manual steps would. */
export async function copyDuoFilterJar(fake: Pick<FakeJira, 'artifactsDir' | 'dir'>): Promise<string> {
  const dest = join(fake.dir, 'atlassian-jira', 'WEB-INF', 'lib', DUO_ARTIFACTS.filter);
  await cp(join(fake.artifactsDir, DUO_ARTIFACTS.filter), dest);
  return dest;
}
