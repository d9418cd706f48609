// Reads the committed fixture trees and files from disk and checks them against the parsers, so the
// fixtures keep modelling what fixtures/README.md says they model.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { resolveJiraHome } from '../../src/jira/home.js';
import { jiraPaths } from '../../src/jira/layout.js';
import { parseProperties } from '../../src/jira/properties.js';
import { parseServerXml } from '../../src/jira/server-xml.js';
import { parseJiraUser } from '../../src/jira/user-sh.js';
import { detectVersion, support } from '../../src/jira/version.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = join(repo, 'fixtures');

// ---- a small namespace-aware web.xml scanner, for tests only -------------------------------------

interface Filter {
  name: string;
  cls: string;
  params: Record<string, string>;
}
interface Mapping {
  name: string;
  urls: string[];
  dispatchers: string[];
}
interface WebXmlScan {
  ns: string;
  rootPrefix: string;
  attrs: Record<string, string>;
  children: string[];
  filters: Filter[];
  mappings: Mapping[];
}

/** Decode bytes the way an XML parser would: BOM, then the declared encoding (UTF-8 or ISO-8859-1). */
function decodeXml(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(3));
  const decl = /^<\?xml[^>]*encoding=["']([^"']+)["']/.exec(buf.subarray(0, 200).toString('latin1'));
  const enc = decl?.[1]?.toLowerCase();
  if (enc === 'iso-8859-1' || enc === 'latin1') return buf.toString('latin1');
  return new TextDecoder('utf-8', { fatal: true }).decode(buf);
}

function scanWebXml(text: string): WebXmlScan {
  const p = new SaxesParser({ xmlns: true, position: true });
  const stack: string[] = [];
  const scan: WebXmlScan = { ns: '', rootPrefix: '', attrs: {}, children: [], filters: [], mappings: [] };
  let textBuf = '';
  let filter: Filter | undefined;
  let mapping: Mapping | undefined;
  let paramName = '';
  let error: Error | undefined;
  p.on('error', (e) => {
    error ??= e;
  });
  p.on('opentag', (t) => {
    if (stack.length === 0) {
      scan.ns = t.uri;
      scan.rootPrefix = t.prefix;
      for (const [k, a] of Object.entries(t.attributes)) scan.attrs[k] = typeof a === 'string' ? a : a.value;
    }
    if (stack.length === 1) {
      scan.children.push(t.local);
      if (t.local === 'filter') filter = { name: '', cls: '', params: {} };
      if (t.local === 'filter-mapping') mapping = { name: '', urls: [], dispatchers: [] };
    }
    stack.push(t.local);
    textBuf = '';
  });
  p.on('text', (s) => (textBuf += s));
  p.on('cdata', (s) => (textBuf += s));
  p.on('closetag', (t) => {
    stack.pop();
    const v = textBuf.trim();
    if (filter) {
      if (t.local === 'filter-name' && stack.length === 2) filter.name = v;
      if (t.local === 'filter-class') filter.cls = v;
      if (t.local === 'param-name') paramName = v;
      if (t.local === 'param-value') filter.params[paramName] = v;
      if (t.local === 'filter' && stack.length === 1) (scan.filters.push(filter), (filter = undefined));
    }
    if (mapping) {
      if (t.local === 'filter-name') mapping.name = v;
      if (t.local === 'url-pattern') mapping.urls.push(v);
      if (t.local === 'dispatcher') mapping.dispatchers.push(v);
      if (t.local === 'filter-mapping' && stack.length === 1) (scan.mappings.push(mapping), (mapping = undefined));
    }
    textBuf = '';
  });
  p.write(text).close();
  if (error) throw error;
  return scan;
}

const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name);
const JAVAEE = 'http://java.sun.com/xml/ns/javaee';
const J2EE = 'http://java.sun.com/xml/ns/j2ee';

// ---- the three install trees ------------------------------------------------------------------------

const trees = [
  {
    tree: 'jira-6',
    ns: J2EE,
    webAppVersion: '2.4',
    version: '6.4.14',
    pom: undefined,
    level: 'supported',
    afterSecurity: 'gzip',
    localBaseUrl: 'http://127.0.0.1:8080',
    publicBaseUrl: undefined,
    kinds: ['http'],
    user: undefined,
    home: { home: '/var/atlassian/application-data/jira', source: 'jira-application.properties' },
  },
  {
    tree: 'jira-7',
    ns: JAVAEE,
    webAppVersion: '3.0',
    version: '7.13.2',
    pom: 'atlassian-jira-webapp',
    level: 'supported',
    afterSecurity: 'mauevent',
    localBaseUrl: 'http://127.0.0.1:8080',
    publicBaseUrl: 'https://jira.example.com',
    kinds: ['http'],
    user: 'jira',
    home: { home: '/var/atlassian/application-data/jira', source: 'jira-application.properties' },
  },
  {
    tree: 'jira-8',
    ns: JAVAEE,
    webAppVersion: '3.0',
    version: '8.20.10',
    pom: 'jira-webapp-dist',
    level: 'untested',
    afterSecurity: 'mauevent',
    localBaseUrl: 'http://127.0.0.1:8080/jira',
    publicBaseUrl: undefined,
    kinds: ['http', 'ajp'],
    user: 'jira',
    home: { home: '/data/jira/home', source: 'setenv.sh' },
  },
] as const;

function pomTexts(root: string): string[] {
  const dir = join(root, 'atlassian-jira/META-INF/maven/com.atlassian.jira');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((a) => join(dir, a, 'pom.properties'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'));
}

describe.each(trees)('fixture tree $tree', (t) => {
  const paths = jiraPaths(join(fx, t.tree));
  const read = (f: string) => readFileSync(f, 'utf8');

  it('has the layout jiraPaths() expects', () => {
    for (const f of [paths.webXml, paths.appProperties, paths.serverXml, paths.userSh, paths.setenvSh, join(paths.logs, '.keep')]) {
      expect(existsSync(f), f).toBe(true);
    }
  });

  it('web.xml is in the version style with the security chain in order', () => {
    const raw = readFileSync(paths.webXml);
    expect(raw.includes(0x0d), 'LF line endings').toBe(false);
    const w = scanWebXml(decodeXml(raw));
    expect(w.ns).toBe(t.ns);
    expect(w.rootPrefix).toBe('');
    expect(w.attrs.version).toBe(t.webAppVersion);
    if (t.tree === 'jira-6') {
      expect(read(paths.webXml).startsWith('<?xml version="1.0"?>\n')).toBe(true);
      expect(w.attrs['metadata-complete']).toBeUndefined();
    } else {
      expect(w.attrs['metadata-complete']).toBe('true');
      // Multi-line schemaLocation (a parser normalises the newline away, so look at the text).
      expect(read(paths.webXml)).toMatch(/xsi:schemaLocation="http:\/\/java\.sun\.com\/xml\/ns\/javaee\n\s+http:\/\/java\.sun\.com\/xml\/ns\/javaee\/web-app_3_0\.xsd"/);
      expect(w.children.indexOf('absolute-ordering')).toBe(w.children.indexOf('description') + 1);
    }
    const f = names(w.filters);
    const s = f.indexOf('security');
    expect(f.slice(s - 3, s + 2)).toEqual(['filter-plugin-dispatcher-before-login-error', 'login', 'trustedapps', 'security', t.afterSecurity]);
    expect(w.filters[s]).toEqual({ name: 'security', cls: 'com.atlassian.jira.security.JiraSecurityFilter', params: {} });
    const m = names(w.mappings);
    const ms = m.indexOf('security');
    expect(m.slice(ms - 3, ms + 1)).toEqual(['filter-plugin-dispatcher-before-login-error', 'login', 'trustedapps', 'security']);
    expect(w.mappings[ms]?.dispatchers).toEqual(['REQUEST', 'FORWARD']);
    expect(w.mappings[ms - 1]?.dispatchers).toEqual([]);
    expect(m.at(-1)).toBe('JiraLastFilter');
    expect(f.filter((n) => n === 'duoauth')).toEqual([]);
    // The trailing comment after FORWARD in the security mapping, as in the real files.
    expect(read(paths.webXml)).toMatch(/<filter-name>security<\/filter-name>[^]*?<dispatcher>FORWARD<\/dispatcher> <!--[^]*?-->\n\s*<\/filter-mapping>/);
    for (const el of ['listener', 'servlet', 'servlet-mapping', 'session-config', 'welcome-file-list']) expect(w.children).toContain(el);
  });

  it('version comes from the jira-api jar', () => {
    const libFiles = readdirSync(paths.lib);
    const v = detectVersion({ libFiles, pomProperties: pomTexts(paths.root) });
    expect(v).toEqual({ version: t.version, source: 'jira-api-jar', warnings: [] });
    expect(support(v.version).level).toBe(t.level);
  });

  it.runIf(t.pom)('pom.properties alone gives the same version', () => {
    const poms = pomTexts(paths.root);
    expect(poms).toHaveLength(1);
    expect(parseProperties(poms[0] as string).get('artifactId')).toBe(t.pom);
    const v = detectVersion({ libFiles: readdirSync(paths.lib).filter((f) => !f.startsWith('jira-api-')), pomProperties: poms });
    expect(v).toMatchObject({ version: t.version, source: 'pom.properties' });
  });

  it('jira-api jar is a valid zip whose manifest agrees with its name', () => {
    const jar = readdirSync(paths.lib).find((f) => f.startsWith('jira-api-')) as string;
    const entries = unzipSync(readFileSync(join(paths.lib, jar)));
    expect(strFromU8(entries['META-INF/MANIFEST.MF'] as Uint8Array)).toContain(`Implementation-Version: ${t.version}\r\n`);
    expect(readdirSync(paths.lib).length).toBeGreaterThanOrEqual(3);
  });

  it('server.xml gives the connectors, context path and URLs', () => {
    const s = parseServerXml(read(paths.serverXml), paths.serverXml);
    expect(s.connectors.map((c) => c.kind)).toEqual(t.kinds);
    expect(s.localBaseUrl).toBe(t.localBaseUrl);
    expect(s.statusUrl).toBe(`${t.localBaseUrl}/status`);
    expect(s.publicBaseUrl).toBe(t.publicBaseUrl);
    expect(s.http?.port).toBe(8080);
    expect(s.shutdownPort).toBe(8005);
    expect(s.warnings).toEqual([]);
  });

  it('bin/user.sh gives the run user', () => {
    expect(read(paths.userSh)).toMatch(/# START INSTALLER MAGIC ! DO NOT EDIT !\nJIRA_USER="[a-z]*" ##\n# END INSTALLER MAGIC/);
    expect(parseJiraUser(read(paths.userSh))).toBe(t.user);
  });

  it('JIRA_HOME resolves from the tree', () => {
    const r = resolveJiraHome({ env: {}, setenvSh: read(paths.setenvSh), appProperties: read(paths.appProperties) });
    expect(r).toEqual({ ...t.home, warnings: [] });
  });
});

// ---- single-file web.xml variants ----------------------------------------------------------------

const webxmlDir = join(fx, 'webxml');
const variants: Record<string, { ns?: string; security: number; duo: number; duoMappings: number; kind?: 'legacy' | 'universal'; placed?: boolean }> = {
  'crlf.web.xml': { ns: JAVAEE, security: 1, duo: 0, duoMappings: 0 },
  'tabs.web.xml': { ns: J2EE, security: 1, duo: 0, duoMappings: 0 },
  'bom.web.xml': { ns: JAVAEE, security: 1, duo: 0, duoMappings: 0 },
  'latin1.web.xml': { ns: J2EE, security: 1, duo: 0, duoMappings: 0 },
  'comment-tricks.web.xml': { ns: JAVAEE, security: 1, duo: 0, duoMappings: 0 },
  'prefixed-ns.web.xml': { ns: JAVAEE, security: 1, duo: 0, duoMappings: 0 },
  'no-security.web.xml': { ns: JAVAEE, security: 0, duo: 0, duoMappings: 0 },
  'malformed.web.xml': { security: 0, duo: 0, duoMappings: 0 },
  'installed.web.xml': { ns: JAVAEE, security: 1, duo: 1, duoMappings: 1, kind: 'legacy', placed: true },
  'misplaced.web.xml': { ns: JAVAEE, security: 1, duo: 1, duoMappings: 1, kind: 'legacy', placed: false },
  'duplicated.web.xml': { ns: JAVAEE, security: 1, duo: 2, duoMappings: 1, kind: 'legacy' },
  'universal.web.xml': { ns: JAVAEE, security: 1, duo: 1, duoMappings: 1, kind: 'universal', placed: true },
};

describe('fixtures/webxml', () => {
  it('has exactly the documented files', () => {
    expect(readdirSync(webxmlDir).sort()).toEqual(Object.keys(variants).sort());
    const readme = readFileSync(join(fx, 'README.md'), 'utf8');
    for (const f of Object.keys(variants)) expect(readme).toContain(`\`${f}\``);
  });

  it.each(Object.entries(variants))('%s', (file, exp) => {
    const raw = readFileSync(join(webxmlDir, file));
    if (file === 'malformed.web.xml') {
      expect(() => scanWebXml(decodeXml(raw))).toThrow(/closing tag|close tag|unexpected/i);
      return;
    }
    const w = scanWebXml(decodeXml(raw));
    expect(w.ns).toBe(exp.ns);
    expect(w.filters.filter((f) => f.name === 'security')).toHaveLength(exp.security);
    const duo = w.filters.filter((f) => f.name === 'duoauth');
    expect(duo).toHaveLength(exp.duo);
    expect(w.mappings.filter((m) => m.name === 'duoauth')).toHaveLength(exp.duoMappings);
    for (const d of duo) {
      expect(d.cls).toBe('com.duosecurity.seraph.filter.DuoAuthFilter');
      expect(d.params.host).toBe('api-deadbeef.duosecurity.com');
      if (exp.kind === 'legacy') {
        expect(d.params).toMatchObject({ ikey: 'DIXXXXXXXXXXXXXXXXXX', skey: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' });
        expect(d.params.akey?.length).toBeGreaterThanOrEqual(40);
      } else {
        expect(d.params).toMatchObject({ 'client.Id': 'DIXXXXXXXXXXXXXXXXXX', 'client.Secret': 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' });
        expect(d.params.redirecturi).toMatch(/^https:\/\//);
        expect(d.params.ikey).toBeUndefined();
      }
    }
    if (exp.duoMappings) expect(w.mappings.find((m) => m.name === 'duoauth')?.dispatchers.sort()).toEqual(['FORWARD', 'REQUEST']);
    if (exp.placed !== undefined) {
      const f = names(w.filters);
      const m = names(w.mappings);
      expect(f[f.indexOf('security') + 1] === 'duoauth').toBe(exp.placed);
      expect(m[m.indexOf('security') + 1] === 'duoauth').toBe(exp.placed);
      if (!exp.placed) {
        expect(f.at(-1)).toBe('duoauth');
        expect(m.at(-1)).toBe('duoauth');
      }
    }
  });

  it('keeps the byte-level traits each variant is about', () => {
    const bytes = (f: string) => readFileSync(join(webxmlDir, f));
    const crlf = bytes('crlf.web.xml').toString('latin1');
    expect(crlf.split('\n').length).toBeGreaterThan(100);
    expect(crlf.split('\r\n').length).toBe(crlf.split('\n').length);

    const tabs = bytes('tabs.web.xml').toString('utf8');
    expect(tabs).toMatch(/^\t\t<filter-name>security<\/filter-name>$/m);
    expect(tabs).not.toMatch(/^ {4}/m);

    expect([...bytes('bom.web.xml').subarray(0, 5)]).toEqual([0xef, 0xbb, 0xbf, 0x3c, 0x3f]);

    const latin1 = bytes('latin1.web.xml');
    expect(latin1.toString('latin1')).toMatch(/^<\?xml version="1.0" encoding="ISO-8859-1"\?>/);
    expect(latin1.includes(0xfc)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(latin1)).toThrow();
    expect(decodeXml(latin1)).toContain('Jürgen Müller, © 2015');

    const tricks = bytes('comment-tricks.web.xml').toString('utf8');
    expect(tricks).toContain('<filter-name>duoauth</filter-name>'); // only inside a comment
    expect(tricks.match(/<filter-name>security<\/filter-name>/g)?.length).toBeGreaterThanOrEqual(3); // comments + CDATA
    expect(tricks).toMatch(/<filter-name>\s*\n\s*security\s*\n\s*<\/filter-name>/);
    expect(tricks).toContain('<![CDATA[');

    expect(bytes('prefixed-ns.web.xml').toString('utf8')).toMatch(/^<j:web-app xmlns:j="http:\/\/java\.sun\.com\/xml\/ns\/javaee"/m);
  });

  it('jira trees and derived variants share one source (make-fixtures --check)', () => {
    const out = execFileSync(process.execPath, [join(repo, 'scripts/make-fixtures.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });
});

// ---- stand-in Duo release -----------------------------------------------------------------------------

describe('fixtures/duo_jira-sample', () => {
  const etc = join(fx, 'duo_jira-sample/etc');
  const jars: Array<[string, string, string]> = [
    ['DuoWeb-1.3.jar', 'DuoWeb', '1.3'],
    ['duo-client-0.3.0.jar', 'duo-client', '0.3.0'],
    ['duo-filter-1.4.3.jar', 'duo-filter', '1.4.3'],
    ['duo-twofactor-1.4.3.jar', 'duo-twofactor', '1.4.3'],
  ];

  it('has the etc/ files of a legacy release plus a README saying they are stand-ins', () => {
    expect(readdirSync(etc).sort()).toEqual(['Duo-Web-v2.js', ...jars.map((j) => j[0])].sort());
    expect(readFileSync(join(fx, 'duo_jira-sample/README.md'), 'utf8')).toMatch(/NOT the official Duo jars/);
  });

  it.each(jars)('%s is a valid jar with title %s and version %s', (file, title, version) => {
    const entries = unzipSync(readFileSync(join(etc, file)));
    const mf = strFromU8(entries['META-INF/MANIFEST.MF'] as Uint8Array);
    expect(mf).toContain(`Implementation-Title: ${title}\r\n`);
    expect(mf).toContain(`Implementation-Version: ${version}\r\n`);
    expect(mf).toMatch(/X-Duo-Jira-Fixture: .*not an official build/);
    expect(Object.keys(entries).some((e) => e.endsWith('.class'))).toBe(true);
  });

  it('duo-filter holds DuoAuthFilter and duo-twofactor declares the plugin key', () => {
    expect(Object.keys(unzipSync(readFileSync(join(etc, 'duo-filter-1.4.3.jar'))))).toContain('com/duosecurity/seraph/filter/DuoAuthFilter.class');
    const plugin = strFromU8(unzipSync(readFileSync(join(etc, 'duo-twofactor-1.4.3.jar')))['atlassian-plugin.xml'] as Uint8Array);
    expect(plugin).toMatch(/<atlassian-plugin key="com\.duosecurity\.jira\.plugins\.duo-twofactor"/);
    expect(plugin).toMatch(/<version>1\.4\.3<\/version>/);
  });
});
