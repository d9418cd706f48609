// doctor's checks are pure: table tests over hand-made facts.
import { describe, expect, it } from 'vitest';
import type { PreflightResult } from '../../src/duo-api/client.js';
import {
  canAccess,
  checkDuoWebXml,
  checkJarsPresent,
  checkJarsReadable,
  checkJournal,
  checkParams,
  checkSecretFiles,
  checkVersion,
  command,
  duoState,
  onlineChecks,
  runChecks,
  shq,
} from '../../src/doctor/checks.js';
import type { DoctorFacts, DuoFilterFact, DuoMappingFact, FileMeta, LibJarFact } from '../../src/doctor/types.js';
import { jiraPaths } from '../../src/jira/layout.js';
import type { Params } from '../../src/webxml/template.js';

const DIR = '/opt/jira 7';
const SKEY = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
const AKEY = 'f1x7ur3akeyf1x7ur3akeyf1x7ur3akeyf1x7ur3akey00';
const GOOD: Params = [['ikey', 'DIXXXXXXXXXXXXXXXXXX'], ['skey', SKEY], ['akey', AKEY], ['host', 'api-deadbeef.duosecurity.com']];
const CLASS = 'com.duosecurity.seraph.filter.DuoAuthFilter';

const meta = (mode: number, uid = 0, gid = 0): FileMeta => ({ mode, uid, gid });
const filter = (o: Partial<DuoFilterFact> = {}): DuoFilterFact => ({ name: 'duoauth', className: CLASS, params: GOOD, line: 111, rightAfterSecurity: true, ...o });
const mapping = (o: Partial<DuoMappingFact> = {}): DuoMappingFact => ({ line: 269, rightAfterSecurity: true, urlPatterns: ['/*'], dispatchers: ['FORWARD', 'REQUEST'], ...o });
const jar = (name: string, o: Partial<LibJarFact> = {}): LibJarFact => {
  const m = /^(DuoWeb|duo-client|duo-filter|duo-twofactor)-(.+)\.jar$/.exec(name)!;
  return { name, path: `${DIR}/atlassian-jira/WEB-INF/lib/${name}`, family: m[1] as LibJarFact['family'], version: m[2]!, sha256: 'ab'.repeat(32), meta: meta(0o644), ...o };
};
const JARS = [jar('DuoWeb-1.3.jar'), jar('duo-client-0.3.0.jar'), jar('duo-filter-1.4.3.jar')];

function facts(o: { filter?: DuoFilterFact | null; mapping?: DuoMappingFact | null; disabled?: number[] } & Partial<DoctorFacts> = {}): DoctorFacts {
  const { filter: fl, mapping: mp, disabled, ...rest } = o;
  const paths = jiraPaths(DIR);
  return {
    jiraDir: DIR,
    paths,
    dirArg: DIR,
    layout: { root: true, webapp: true, webInf: true, lib: true, webXml: true },
    version: { version: '7.13.2', source: 'jira-api-jar', warnings: [] },
    user: { name: 'jira', userShFound: true, ids: { uid: 1001, gids: [1001] } },
    home: { path: '/var/jira', source: 'jira-application.properties', warnings: [], readable: true, pluginsDir: '/var/jira/plugins/installed-plugins', plugins: { readable: true, missing: false, addons: [{ name: 'duo-twofactor-1.4.3.jar', version: '1.4.3' }] } },
    libDir: meta(0o755),
    jars: JARS,
    webXml: {
      path: paths.webXml,
      exists: true,
      meta: meta(0o640, 0, 1001),
      parsed: {
        securityFilterLine: 106,
        securityMappingLine: 262,
        ...(fl === null ? {} : { filter: fl ?? filter() }),
        ...(mp === null ? {} : { mapping: mp ?? mapping() }),
        disabledMappings: disabled ?? [],
      },
    },
    secretFiles: [],
    stateDir: '/var/lib/duo-jira/opt-jira-7-12345678',
    checkpoints: [],
    journal: { path: '/var/lib/duo-jira/x/journal.json', interrupted: false },
    offline: true,
    online: { ran: false, reason: 'skipped (--offline)' },
    ...rest,
  };
}

describe('duoState', () => {
  it.each([
    ['installed', {}],
    ['disabled', { mapping: null, disabled: [270] }],
    ['disabled', { mapping: null }],
    ['not-installed', { filter: null, mapping: null }],
    ['broken', { filter: null }], // a mapping without its filter: Tomcat will not start
    ['broken', { filter: filter({ rightAfterSecurity: false }) }],
    ['broken', { mapping: mapping({ rightAfterSecurity: false }) }],
    ['broken', { filter: filter({ className: 'com.example.Other' }) }],
  ] as const)('%s for %j', (state, o) => {
    expect(duoState(facts(o as never))).toBe(state);
  });

  it('broken when the web.xml engine refuses the file; not installed when there is no web.xml', () => {
    expect(duoState(facts({ webXml: { path: 'w', exists: true, unsafe: { message: 'x' } } }))).toBe('broken');
    expect(duoState(facts({ webXml: { path: 'w', exists: false } }))).toBe('not-installed');
  });
});

describe('webxml.duo', () => {
  it('disabled → warn with the enable command (quoted -d)', () => {
    const c = checkDuoWebXml(facts({ mapping: null, disabled: [270] }), 'disabled');
    expect(c).toMatchObject({ status: 'warn', fix: "duo-jira enable -d '/opt/jira 7'" });
    expect(c.finding).toContain('commented out (line 270)');
  });
  it('misplaced filter names what runs in its place', () => {
    const c = checkDuoWebXml(facts({ filter: filter({ rightAfterSecurity: false, afterSecurity: 'mauevent', line: 300 }) }), 'broken');
    expect(c.status).toBe('fail');
    expect(c.finding).toBe('the duoauth filter (line 300) is not right after the security filter (line 106); mauevent comes first');
    expect(c.fix).toBe("duo-jira install -d '/opt/jira 7' -i DIXXXXXXXXXXXXXXXXXX -s <skey> -h api-deadbeef.duosecurity.com (moves the duoauth blocks right after security)");
  });
  it('orphan mapping → uninstall removes it', () => {
    expect(checkDuoWebXml(facts({ filter: null }), 'broken')).toMatchObject({ status: 'fail', fix: expect.stringContaining('duo-jira uninstall') });
  });
  it('a mapping that does not cover everything → warn', () => {
    const c = checkDuoWebXml(facts({ mapping: mapping({ urlPatterns: ['/secure/*'], dispatchers: [] }) }), 'installed');
    expect(c.status).toBe('warn');
    expect(c.finding).toContain('covers only /secure/* instead of /*; it lacks dispatcher FORWARD');
  });
});

describe('webxml.params', () => {
  const withParams = (extra: Params, base: Params = GOOD) => checkParams(facts({ filter: filter({ params: [...base, ...extra] }) }));

  it('ok: shows ikey and host, masks skey and akey', () => {
    const c = withParams([['fail.Open', 'true']]);
    expect(c.status).toBe('ok');
    expect(c.finding).toBe('ikey DIXXXXXXXXXXXXXXXXXX, skey dead…, akey f1x7…, host api-deadbeef.duosecurity.com, fail.Open=true, bypass.APIs=false');
    expect(JSON.stringify(c)).not.toContain(SKEY);
    expect(JSON.stringify(c)).not.toContain(AKEY);
  });

  it.each([
    ['missing skey', [], GOOD.filter(([n]) => n !== 'skey'), /^skey is missing/],
    ['short akey', [], GOOD.map(([n, v]) => [n, n === 'akey' ? 'short' : v] as [string, string]), /^akey: application key .* at least 40/],
    ['19-char ikey', [], GOOD.map(([n, v]) => [n, n === 'ikey' ? 'DIXXXXXXXXXXXXXXXXX' : v] as [string, string]), /^ikey: integration key .* exactly 20/],
    ['host with scheme', [], GOOD.map(([n, v]) => [n, n === 'host' ? 'https://api-deadbeef.duosecurity.com' : v] as [string, string]), /^host: API hostname/],
    ['fail.Open=yes', [['fail.Open', 'yes']], GOOD, /^fail\.Open is "yes": the filter reads anything but "true" as false/],
    ['bypass.APIs=1', [['bypass.APIs', '1']], GOOD, /^bypass\.APIs is "1"/],
    ['relative login.url', [['login.url', 'plugins/servlet/duologin']], GOOD, /^login\.url "plugins\/servlet\/duologin" must be a path starting with \//],
    ['double space in unprotected.dirs', [['unprotected.dirs', '/rest/api  /rpc']], GOOD, /^unprotected\.dirs has an empty entry .* matches every URL, so Duo protects nothing/],
    ['empty unprotected.dirs', [['unprotected.dirs', '']], GOOD, /^unprotected\.dirs has an empty entry/],
    ['newline-separated unprotected.dirs', [['unprotected.dirs', '/rest/api\n\t\t/rpc']], GOOD, /^unprotected\.dirs entries must start with \/ .*"\/rest\/api\\n\\t\\t\/rpc"/],
    ['relative unprotected.dirs entry', [['unprotected.dirs', '/rest rpc/soap']], GOOD, /^unprotected\.dirs entries must start with \/.*"rpc\/soap"/],
  ] as Array<[string, Params, Params, RegExp]>)('%s → fail', (_name, extra, base, finding) => {
    const c = withParams(extra, base);
    expect(c.status).toBe('fail');
    expect(c.finding).toMatch(finding);
    expect(c.fix).toContain('duo-jira install');
    expect(JSON.stringify(c)).not.toContain(SKEY);
  });

  it.each([
    ['case-mismatched name', [['fail.open', 'true']], /"fail\.open" is ignored: names are case-sensitive, did you mean "fail\.Open"\?/],
    ['unknown param', [['client.Id', 'x']], /"client\.Id" is not read by the legacy DuoAuthFilter/],
    ['duplicate', [['fail.Open', 'false'], ['fail.Open', 'true']], /fail\.Open is set 2 times \(Tomcat keeps the last one\)/],
  ] as Array<[string, Params, RegExp]>)('%s → warn', (_name, extra, finding) => {
    const c = withParams(extra);
    expect(c.status).toBe('warn');
    expect(c.finding).toMatch(finding);
  });

  it('well-typed optional params and an unusual host → only the host warning', () => {
    const base = GOOD.map(([n, v]) => [n, n === 'host' ? 'duo.example.com' : v] as [string, string]);
    const c = withParams([['bypass.APIs', 'TRUE'], ['unprotected.dirs', '/rest/api /rpc'], ['login.url', '/plugins/servlet/duologin']], base);
    expect(c.status).toBe('warn');
    expect(c.finding).toMatch(/host: API hostname "duo\.example\.com" is not of the usual form/);
    expect(c.details).toHaveLength(1);
  });

  it('skip without a filter', () => {
    expect(checkParams(facts({ filter: null, mapping: null })).status).toBe('skip');
  });
});

describe('jars', () => {
  it('two versions of one family → fail, install keeps one', () => {
    const c = checkJarsPresent(facts({ jars: [jar('duo-filter-1.3.7.jar'), ...JARS] }));
    expect(c).toMatchObject({ status: 'fail', finding: expect.stringContaining('2 duo-filter jars (duo-filter-1.3.7.jar, duo-filter-1.4.3.jar)') });
    expect(c.fix).toContain('keeps exactly one version of each');
  });
  it('missing family with the filter configured → fail (Jira will not start)', () => {
    const c = checkJarsPresent(facts({ jars: JARS.slice(0, 2) }));
    expect(c).toMatchObject({ status: 'fail', finding: 'missing duo-filter-<version>.jar in WEB-INF/lib: the Duo filter cannot load and Jira will not start' });
  });
  it('no jars at all with the filter configured → fail', () => {
    expect(checkJarsPresent(facts({ jars: [] })).status).toBe('fail');
  });
  it('the add-on jar in WEB-INF/lib → warn', () => {
    const c = checkJarsPresent(facts({ jars: [...JARS, jar('duo-twofactor-1.4.3.jar')] }));
    expect(c.status).toBe('warn');
    expect(c.finding).toContain('duo-twofactor-1.4.3.jar is in WEB-INF/lib: it is a Jira add-on');
  });

  it.each([
    ['0644 root', meta(0o644), 'ok'],
    ['0640 root:jira', meta(0o640, 0, 1001), 'ok'],
    ['0600 jira', meta(0o600, 1001, 1001), 'ok'],
    ['0600 root', meta(0o600), 'fail'],
    ['0604 root:jira (group bit off)', meta(0o604, 0, 1001), 'fail'],
  ] as const)('readable by the Jira user: %s → %s', (_n, m, status) => {
    const c = checkJarsReadable(facts({ jars: JARS.map((j) => ({ ...j, meta: m })) }));
    expect(c.status).toBe(status);
    if (status === 'fail') expect(c.fix).toBe(`chmod 644 ${JARS.map((j) => shq(j.path)).join(' ')}`);
  });
  it.each([meta(0o700), meta(0o711)])('lib dir the Jira user cannot list (%j) → fail', (m) => {
    expect(checkJarsReadable(facts({ libDir: m }))).toMatchObject({ status: 'fail', fix: "chmod o+rx '/opt/jira 7/atlassian-jira/WEB-INF/lib'" });
  });
  it('unknown Jira user and jars not world-readable → warn', () => {
    const c = checkJarsReadable(facts({ user: { name: 'jira', userShFound: true, lookupError: 'no user "jira" on this machine' }, jars: JARS.map((j) => ({ ...j, meta: meta(0o600) })) }));
    expect(c.status).toBe('warn');
    expect(c.finding).toContain('cannot check for Jira user jira (no user "jira" on this machine)');
  });
  it('empty JIRA_USER → warn unless world-readable', () => {
    const user = { userShFound: true };
    expect(checkJarsReadable(facts({ user })).status).toBe('ok');
    expect(checkJarsReadable(facts({ user, jars: JARS.map((j) => ({ ...j, meta: meta(0o640) })) })).finding).toContain('JIRA_USER in bin/user.sh is empty');
  });
});

describe('canAccess', () => {
  it.each([
    [meta(0o600), { uid: 0, gids: [0] }, true],
    [meta(0o600, 5), { uid: 5, gids: [] }, true],
    [meta(0o060, 5, 7), { uid: 5, gids: [7] }, false], // owner bits win even if the group could read
    [meta(0o040, 1, 7), { uid: 5, gids: [9, 7] }, true],
    [meta(0o004, 1, 7), { uid: 5, gids: [9] }, true],
    [meta(0o640, 1, 7), { uid: 5, gids: [9] }, false],
  ] as const)('%j for %j → %s', (m, who, ok) => {
    expect(canAccess(m, { uid: who.uid, gids: [...who.gids] })).toBe(ok);
  });
});

describe('secrets.webxml', () => {
  const live = (m: FileMeta) => ({ path: '/opt/jira/atlassian-jira/WEB-INF/web.xml', meta: m, live: true });
  it('root:root 0644 and Jira user not in the group: plain o-r would lock Jira out, so chgrp first', () => {
    const c = checkSecretFiles(facts({ secretFiles: [live(meta(0o644))] }));
    expect(c.status).toBe('warn');
    expect(c.fix).toBe('chgrp 1001 /opt/jira/atlassian-jira/WEB-INF/web.xml && chmod g+r,o-r /opt/jira/atlassian-jira/WEB-INF/web.xml');
  });
  it('owned by the Jira user: chmod o-r', () => {
    expect(checkSecretFiles(facts({ secretFiles: [live(meta(0o644, 1001, 1001))] })).fix).toBe('chmod o-r /opt/jira/atlassian-jira/WEB-INF/web.xml');
  });
  it('not world-readable → ok; no skey → skip', () => {
    expect(checkSecretFiles(facts({ secretFiles: [live(meta(0o640, 0, 1001))] })).status).toBe('ok');
    expect(checkSecretFiles(facts()).status).toBe('skip');
  });
});

describe('jira.version', () => {
  it.each([
    ['7.13.2', 'ok'],
    ['6.0.8', 'fail'],
    ['8.20.10', 'warn'],
    ['10.3.1', 'fail'],
  ] as const)('%s → %s', (version, status) => {
    expect(checkVersion(facts({ version: { version, source: 'jira-api-jar', warnings: [] } })).status).toBe(status);
  });
  it('unknown → warn; dirty tree (several jira-api jars) → warn', () => {
    expect(checkVersion(facts({ version: { source: 'none', warnings: ['no jar'] } })).status).toBe('warn');
    expect(checkVersion(facts({ version: { version: '7.13.2', source: 'jira-api-jar', warnings: ['Several jira-api jars'] } })).status).toBe('warn');
  });
});

describe('journal', () => {
  it('a run in progress is a warning, a dead one a failure', () => {
    expect(checkJournal(facts({ journal: { path: 'j', interrupted: true, inProgress: { pid: 4, command: 'install', startedAt: 't' } } })).status).toBe('warn');
    expect(checkJournal(facts({ journal: { path: 'j', interrupted: true, command: 'install', checkpoint: '/s/cp' } }))).toMatchObject({
      status: 'fail',
      fix: "duo-jira repair -d '/opt/jira 7' restores every file from /s/cp (any duo-jira change also does that first).",
    });
  });
});

describe('online checks from the pre-flight result', () => {
  const base = { host: 'api-deadbeef.duosecurity.com', message: 'msg', fix: 'fix' };
  const cases: Array<[string, PreflightResult, [string, string, string]]> = [
    ['ok', { ...base, kind: 'ok', serverTime: 1, skewSeconds: 2 }, ['ok', 'ok', 'ok']],
    ['unreachable', { ...base, kind: 'unreachable', cause: 'DNS' }, ['fail', 'skip', 'skip']],
    ['tls', { ...base, kind: 'tls', cause: 'CERT' }, ['fail', 'skip', 'skip']],
    ['bad-ikey', { ...base, kind: 'bad-ikey', status: 401, code: 40102, duoMessage: 'Invalid integration key' }, ['ok', 'ok', 'fail']],
    ['bad-skey', { ...base, kind: 'bad-skey', status: 401, code: 40103, duoMessage: 'Invalid signature' }, ['ok', 'ok', 'fail']],
    ['skew, rejected', { ...base, kind: 'clock-skew', skewSeconds: -600, allowedSkewSeconds: 300, status: 401 }, ['ok', 'fail', 'skip']],
    ['skew, accepted', { ...base, kind: 'clock-skew', skewSeconds: 400, allowedSkewSeconds: 300 }, ['ok', 'fail', 'ok']],
    ['http-error', { ...base, kind: 'http-error', status: 503 }, ['ok', 'skip', 'fail']],
  ];
  it.each(cases)('%s', (_n, result, statuses) => {
    const cs = onlineChecks(facts({ online: { ran: true, result } }));
    expect(cs.map((c) => c.id)).toEqual(['duo.reach', 'duo.clock', 'duo.keys']);
    expect(cs.map((c) => c.status)).toEqual(statuses);
  });
  it('says which key is wrong', () => {
    const ikey = onlineChecks(facts({ online: { ran: true, result: { ...base, kind: 'bad-ikey', status: 401, code: 40102, duoMessage: 'x' } } }))[2]!;
    const skey = onlineChecks(facts({ online: { ran: true, result: { ...base, kind: 'bad-skey', status: 401, code: 40103, duoMessage: 'x' } } }))[2]!;
    expect(ikey.finding).toMatch(/^the integration key \(ikey\) is wrong/);
    expect(skey.finding).toMatch(/^the secret key \(skey\) is wrong/);
  });
});

describe('runChecks', () => {
  it('reports every check id once, in order, layout first', () => {
    const { checks } = runChecks(facts());
    expect(checks.map((c) => c.id)).toEqual([
      'layout', 'jira.version', 'jira.home', 'webxml', 'webxml.duo', 'webxml.params', 'jars.present', 'jars.official',
      'jars.readable', 'upgrade-drift', 'addon', 'secrets.webxml', 'secrets.backups', 'journal', 'duo.reach', 'duo.clock', 'duo.keys',
    ]);
  });
  it('upgrade drift: jars without a filter', () => {
    const { state, checks } = runChecks(facts({ filter: null, mapping: null }));
    expect(state).toBe('not-installed');
    expect(checks.find((c) => c.id === 'upgrade-drift')).toMatchObject({ status: 'fail', fix: "duo-jira install -d '/opt/jira 7' -i <ikey> -s <skey> -h <host>" });
  });
});

describe('suggested commands', () => {
  it('quote only when needed, and omit -d for the default directory', () => {
    expect(shq('/opt/atlassian/jira')).toBe('/opt/atlassian/jira');
    expect(shq("/opt/it's here")).toBe(`'/opt/it'\\''s here'`);
    expect(command({ dirArg: '' }, 'enable')).toBe('duo-jira enable');
  });
});
