#!/usr/bin/env node
// Regenerates the binary and derived test fixtures under fixtures/ (see fixtures/README.md).
//
//   node scripts/make-fixtures.mjs          write the files
//   node scripts/make-fixtures.mjs --check  exit 1 if any generated file differs from what is on disk
//
// Everything here is self-made: the jars are tiny stand-ins (a manifest, a placeholder .class entry,
// a pom.properties / atlassian-plugin.xml), NOT copies of Atlassian or Duo artifacts.
// Output is deterministic: stored (uncompressed) zip entries, a fixed entry order and a fixed
// timestamp built from local-time components (zip stores local DOS time, so the bytes do not depend
// on the machine's time zone). Re-running gives byte-identical files.
//
// Hand-written inputs (edit these, then re-run): fixtures/jira-{6,7,8}/atlassian-jira/WEB-INF/web.xml.
// Derived outputs: fixtures/webxml/{crlf,tabs,bom,latin1,installed,misplaced,duplicated,universal}.web.xml.
import { zipSync, strToU8 } from 'fflate';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fx = join(root, 'fixtures');
const check = process.argv.includes('--check');

// 2017-07-21 12:00:00 local time (the duo_jira 1.4.3 tag date); local components => TZ-independent DOS time.
const MTIME = new Date(2017, 6, 21, 12, 0, 0);

const FIXTURE_NOTE = 'duo-jira test fixture: self-made stand-in, not an official build';

/** @type {string[]} */
const changed = [];

/** @param {string} rel @param {Uint8Array | string} data */
function put(rel, data) {
  const file = join(fx, rel);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  if (existsSync(file) && readFileSync(file).equals(bytes)) return;
  changed.push(relative(root, file));
  if (check) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

/** Manifest text with CRLF line ends, as the jar spec wants. @param {Record<string,string>} attrs */
function manifest(attrs) {
  const lines = ['Manifest-Version: 1.0', 'Created-By: duo-jira scripts/make-fixtures.mjs'];
  for (const [k, v] of Object.entries(attrs)) lines.push(`${k}: ${v}`);
  lines.push(`X-Duo-Jira-Fixture: ${FIXTURE_NOTE}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/** A placeholder for a compiled class. It is text, not bytecode: nothing ever loads these jars. */
function placeholderClass(className) {
  return `placeholder for ${className} (${FIXTURE_NOTE}; not Java bytecode)\n`;
}

function pomProperties(groupId, artifactId, version) {
  return `#${FIXTURE_NOTE}\nversion=${version}\ngroupId=${groupId}\nartifactId=${artifactId}\n`;
}

/**
 * A small valid jar (zip). Entries are written in the given order; directory entries are implied.
 * @param {Array<[string, string]>} entries
 */
function jar(entries) {
  /** @type {Record<string, [Uint8Array, {mtime: Date, level: 0}]>} */
  const files = {};
  for (const [name, text] of entries) files[name] = [strToU8(text), { mtime: MTIME, level: 0 }];
  return zipSync(files, { mtime: MTIME, level: 0 });
}

/** A generic Maven-built library jar. */
function libJar({ groupId, artifactId, version, title, className }) {
  return jar([
    ['META-INF/MANIFEST.MF', manifest({ 'Implementation-Title': title ?? artifactId, 'Implementation-Version': version })],
    [`META-INF/maven/${groupId}/${artifactId}/pom.properties`, pomProperties(groupId, artifactId, version)],
    [className.replace(/\./g, '/') + '.class', placeholderClass(className)],
  ]);
}

// ---------------------------------------------------------------------------------------------
// 1. WEB-INF/lib jars of the three skeleton Jira trees
const trees = {
  'jira-6': { jira: '6.4.14', seraph: '2.6.1', other: ['commons-lang', 'commons-lang', '2.6', 'org.apache.commons.lang.StringUtils'] },
  'jira-7': { jira: '7.13.2', seraph: '4.0.0', other: ['commons-lang', 'commons-lang', '2.6', 'org.apache.commons.lang.StringUtils'] },
  'jira-8': { jira: '8.20.10', seraph: '4.0.4', other: ['org.apache.commons', 'commons-lang3', '3.5', 'org.apache.commons.lang3.StringUtils'] },
};
for (const [tree, v] of Object.entries(trees)) {
  const lib = `${tree}/atlassian-jira/WEB-INF/lib`;
  put(`${lib}/jira-api-${v.jira}.jar`, libJar({
    groupId: 'com.atlassian.jira', artifactId: 'jira-api', version: v.jira, title: 'Atlassian JIRA - code - API',
    className: 'com.atlassian.jira.component.ComponentAccessor',
  }));
  put(`${lib}/atlassian-seraph-${v.seraph}.jar`, libJar({
    groupId: 'com.atlassian.seraph', artifactId: 'atlassian-seraph', version: v.seraph, title: 'Atlassian Seraph',
    className: 'com.atlassian.seraph.filter.SecurityFilter',
  }));
  const [g, a, ver, cls] = v.other;
  put(`${lib}/${a}-${ver}.jar`, libJar({ groupId: g, artifactId: a, version: ver, className: cls }));
}

// ---------------------------------------------------------------------------------------------
// 2. Self-made stand-ins for the legacy Duo release (duosecurity/duo_jira etc/)
const etc = 'duo_jira-sample/etc';
put(`${etc}/DuoWeb-1.3.jar`, libJar({
  groupId: 'com.duosecurity', artifactId: 'DuoWeb', version: '1.3', className: 'com.duosecurity.duoweb.DuoWeb',
}));
put(`${etc}/duo-client-0.3.0.jar`, jar([
  ['META-INF/MANIFEST.MF', manifest({ 'Implementation-Title': 'duo-client', 'Implementation-Version': '0.3.0' })],
  ['META-INF/maven/com.duosecurity/duo-client/pom.properties', pomProperties('com.duosecurity', 'duo-client', '0.3.0')],
  ['com/duosecurity/client/Http.class', placeholderClass('com.duosecurity.client.Http')],
  ['com/duosecurity/client/Util.class', placeholderClass('com.duosecurity.client.Util')],
]));
put(`${etc}/duo-filter-1.4.3.jar`, jar([
  ['META-INF/MANIFEST.MF', manifest({
    'Implementation-Title': 'duo-filter', 'Implementation-Version': '1.4.3', 'Implementation-Vendor': 'Duo Security',
  })],
  ['META-INF/maven/com.duosecurity/duo-filter/pom.properties', pomProperties('com.duosecurity', 'duo-filter', '1.4.3')],
  ['com/duosecurity/seraph/filter/DuoAuthFilter.class', placeholderClass('com.duosecurity.seraph.filter.DuoAuthFilter')],
]));
const pluginXml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${FIXTURE_NOTE} -->
<atlassian-plugin key="com.duosecurity.jira.plugins.duo-twofactor" name="duo-twofactor" plugins-version="2">
    <plugin-info>
        <description>Duo two-factor login page (fixture stand-in)</description>
        <version>1.4.3</version>
        <vendor name="Duo Security" url="https://duo.com"/>
    </plugin-info>
    <servlet name="Two Factor Login Servlet" key="twofactorlogin" class="com.duosecurity.jira.plugins.TwoFactorLoginServlet">
        <url-pattern>/duologin</url-pattern>
    </servlet>
    <web-resource key="resources" name="duo-twofactor Web Resources">
        <resource type="download" name="Duo-Web-v2.js" location="Duo-Web-v2.js"/>
    </web-resource>
</atlassian-plugin>
`;
put(`${etc}/duo-twofactor-1.4.3.jar`, jar([
  ['META-INF/MANIFEST.MF', manifest({
    'Implementation-Title': 'duo-twofactor', 'Implementation-Version': '1.4.3',
    'Bundle-SymbolicName': 'com.duosecurity.jira.plugins.duo-twofactor', 'Bundle-Version': '1.4.3',
    'Atlassian-Plugin-Key': 'com.duosecurity.jira.plugins.duo-twofactor',
  })],
  ['atlassian-plugin.xml', pluginXml],
  ['com/duosecurity/jira/plugins/TwoFactorLoginServlet.class', placeholderClass('com.duosecurity.jira.plugins.TwoFactorLoginServlet')],
  ['duologin.vm', `## ${FIXTURE_NOTE}\n<iframe id="duo_iframe" data-host="$duoHost" data-sig-request="$sigRequest"></iframe>\n`],
  ['Duo-Web-v2.js', `/* ${FIXTURE_NOTE} */\nwindow.Duo = window.Duo || { init: function () {} };\n`],
]));

// ---------------------------------------------------------------------------------------------
// 3. Derived single-file web.xml variants
const src = (tree) => readFileSync(join(fx, tree, 'atlassian-jira/WEB-INF/web.xml'), 'utf8');
const jira6 = src('jira-6');
const jira7 = src('jira-7');
const jira8 = src('jira-8');

function mustReplace(text, re, fn, what) {
  let hit = false;
  const out = text.replace(re, (...m) => {
    hit = true;
    return fn(...m);
  });
  if (!hit) throw new Error(`make-fixtures: could not find ${what}`);
  return out;
}

/** Prefix the first line's comment so each derived file says what it is. */
function header(text, note) {
  return mustReplace(text, /^(<\?xml[^>]*\?>\n)/, (decl) => `${decl}<!-- ${note} -->\n`, 'XML declaration');
}

put('webxml/crlf.web.xml', header(jira7, 'duo-jira fixture: jira-7 web.xml with CRLF line endings (Windows install)').replace(/\n/g, '\r\n'));

put('webxml/tabs.web.xml', header(jira6, 'duo-jira fixture: jira-6 web.xml indented with tabs').replace(
  /^( +)/gm, (sp) => '\t'.repeat(Math.floor(sp.length / 4)) + ' '.repeat(sp.length % 4),
));

put('webxml/bom.web.xml', '\uFEFF' + header(jira8, 'duo-jira fixture: jira-8 web.xml starting with a UTF-8 byte order mark'));

{
  let t = mustReplace(jira6, /^<\?xml version="1.0"\?>/, () => '<?xml version="1.0" encoding="ISO-8859-1"?>', 'jira-6 XML declaration');
  t = header(t, 'duo-jira fixture: jira-6 web.xml saved as ISO-8859-1');
  t = mustReplace(t, /(<!-- Filters -->)/, (c) => `<!-- Filters reviewed by J\u00fcrgen M\u00fcller, \u00a9 2015 (Latin-1 bytes, not UTF-8) -->\n    ${c}`, 'Filters comment');
  put('webxml/latin1.web.xml', Buffer.from(t, 'latin1'));
}

const IKEY = 'DIXXXXXXXXXXXXXXXXXX';
const SKEY = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
const AKEY = 'f1x7ur3akeyf1x7ur3akeyf1x7ur3akeyf1x7ur3akey00';
const HOST = 'api-deadbeef.duosecurity.com';

const param = (name, value) =>
  `        <init-param>\n            <param-name>${name}</param-name>\n            <param-value>${value}</param-value>\n        </init-param>\n`;
const duoFilter = (params, comment = '') =>
  `    <filter>${comment}\n        <filter-name>duoauth</filter-name>\n        <filter-class>com.duosecurity.seraph.filter.DuoAuthFilter</filter-class>\n` +
  params.map(([n, v]) => param(n, v)).join('') +
  '    </filter>\n';
const duoMapping =
  '    <filter-mapping>\n        <filter-name>duoauth</filter-name>\n        <url-pattern>/*</url-pattern>\n' +
  '        <dispatcher>FORWARD</dispatcher>\n        <dispatcher>REQUEST</dispatcher>\n    </filter-mapping>\n';
const legacyParams = [['ikey', IKEY], ['skey', SKEY], ['akey', AKEY], ['host', HOST]];

const SECURITY_FILTER = /( *<filter>\s*<filter-name>security<\/filter-name>[\s\S]*?<\/filter>\n)/;
const SECURITY_MAPPING = /( *<filter-mapping>\s*<filter-name>security<\/filter-name>[\s\S]*?<\/filter-mapping>\n)/;
const afterSecurityFilter = (t, block) => mustReplace(t, SECURITY_FILTER, (m) => `${m}\n${block}`, 'security filter');
const afterSecurityMapping = (t, block) => mustReplace(t, SECURITY_MAPPING, (m) => `${m}\n${block}`, 'security filter-mapping');
/** After the last </filter> (end of the filter block), and after the last </filter-mapping>. */
const afterLast = (t, tag, block) => {
  const end = `</${tag}>\n`;
  const i = t.lastIndexOf(end);
  if (i < 0) throw new Error(`make-fixtures: no ${end}`);
  return t.slice(0, i + end.length) + '\n' + block + t.slice(i + end.length);
};

{
  let t = header(jira7, 'duo-jira fixture: jira-7 web.xml with the legacy Duo filter correctly installed after security (dummy keys)');
  t = afterSecurityFilter(t, duoFilter([...legacyParams, ['bypass.APIs', 'true']], ' <!-- Duo two-factor (legacy Web SDK v2) -->'));
  t = afterSecurityMapping(t, duoMapping);
  put('webxml/installed.web.xml', t);
}
{
  let t = header(jira7, 'duo-jira fixture: jira-7 web.xml with the Duo filter and mapping appended at the END of the filter blocks, not after security');
  t = afterLast(t, 'filter', duoFilter(legacyParams));
  t = afterLast(t, 'filter-mapping', duoMapping);
  put('webxml/misplaced.web.xml', t);
}
{
  let t = header(jira7, 'duo-jira fixture: jira-7 web.xml with TWO duoauth filters (a second paste at the end of the filters) and one mapping');
  t = afterSecurityFilter(t, duoFilter(legacyParams));
  t = afterLast(t, 'filter', duoFilter([...legacyParams, ['fail.Open', 'true']], ' <!-- pasted again -->'));
  t = afterSecurityMapping(t, duoMapping);
  put('webxml/duplicated.web.xml', t);
}
{
  let t = header(jira8, 'duo-jira fixture: jira-8 web.xml with the Universal Prompt (2.x) duoauth filter after security (dummy keys)');
  t = afterSecurityFilter(t, duoFilter([
    ['client.Id', IKEY], ['client.Secret', SKEY], ['redirecturi', 'https://jira.example.com/jira/secure/Dashboard.jspa'],
    ['host', HOST], ['fail.Open', 'true'],
  ]));
  t = afterSecurityMapping(t, duoMapping);
  put('webxml/universal.web.xml', t);
}

if (check) {
  if (changed.length) {
    console.error(`make-fixtures: out of date:\n  ${changed.join('\n  ')}\nRun: node scripts/make-fixtures.mjs`);
    process.exit(1);
  }
  console.log('make-fixtures: all generated fixtures are up to date');
} else {
  console.log(changed.length ? `make-fixtures: wrote\n  ${changed.join('\n  ')}` : 'make-fixtures: nothing changed');
}
