import { readFileSync } from 'node:fs';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { UnsafeEditError, UsageError } from '../../src/errors.js';
import { changeWebXml, readWebXml, type WebXmlAction } from '../../src/webxml/index.js';
import { nextElementSibling } from '../../src/webxml/splice.js';
import { genWebXml, KEYS, styleMatrix } from '../support/webxml-gen.js';

const install: WebXmlAction = { kind: 'install', set: { ...KEYS } };
const run = (xml: string | Buffer, a: WebXmlAction) => changeWebXml(readWebXml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml)), a);
const text = (b: Buffer) => b.toString('utf8');

/** The top-level element names in order, as a user reading the file would list them (filter-name for filters). */
function chain(xml: string, el: 'filter' | 'filter-mapping'): string[] {
  const re = new RegExp(`<(?:\\w+:)?${el}>\\s*<(?:\\w+:)?filter-name>\\s*([^<]*?)\\s*<`, 'g');
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...body.matchAll(re)].map((m) => m[1]!);
}

describe('install', () => {
  it('puts duoauth right after security, filter and mapping, with the given values', () => {
    const r = run(genWebXml(), install);
    const out = text(r.after);
    expect(chain(out, 'filter')).toEqual(['login', 'trustedapps', 'security', 'duoauth', 'extra0', 'extra1']);
    expect(chain(out, 'filter-mapping')).toEqual(['login', 'trustedapps', 'security', 'duoauth', 'extra0', 'extra1']);
    for (const [k, v] of Object.entries(KEYS)) expect(out).toContain(`<param-name>${k}</param-name>\n            <param-value>${v}</param-value>`);
    expect(out).toMatch(/<filter-class>com\.duosecurity\.seraph\.filter\.DuoAuthFilter<\/filter-class>/);
    expect(out).toMatch(/<filter-name>duoauth<\/filter-name>\s*<url-pattern>\/\*<\/url-pattern>\s*<dispatcher>FORWARD<\/dispatcher>\s*<dispatcher>REQUEST<\/dispatcher>/);
  });

  it('only adds bytes: every original byte is still there, in order', () => {
    const before = genWebXml({ commentBeforeSecurity: true });
    const out = text(run(before, install).after);
    const parts = diffLines(before, out);
    expect(parts.filter((p) => p.removed)).toEqual([]);
    const added = parts.filter((p) => p.added).map((p) => p.value).join('');
    expect(added.length).toBe(out.length - before.length);
    expect(added.match(/<filter-name>duoauth<\/filter-name>/g)).toHaveLength(2);
  });

  it('is idempotent: the same values again change nothing', () => {
    const once = run(genWebXml(), install);
    const twice = run(once.after, install);
    expect(twice.changed).toBe(false);
    expect(twice.after.equals(once.after)).toBe(true);
  });

  it('updates changed values in place and keeps the others (and the akey) untouched', () => {
    const once = run(genWebXml(), install);
    const r = run(once.after, { kind: 'install', set: { ikey: KEYS.ikey, skey: 'x'.repeat(40), host: 'api-87654321.duosecurity.com', 'fail.Open': 'true' } });
    const out = text(r.after);
    expect(out).toContain(`<param-value>${'x'.repeat(40)}</param-value>`);
    expect(out).toContain(`<param-value>${KEYS.akey}</param-value>`);
    expect(out).toContain('<param-value>api-87654321.duosecurity.com</param-value>');
    expect(out).toMatch(/<param-name>fail\.Open<\/param-name>\s*<param-value>true<\/param-value>\s*<\/init-param>\s*<\/filter>/);
    expect(chain(out, 'filter').filter((n) => n === 'duoauth')).toHaveLength(1);
    // Only the changed values and the new param differ from the first install.
    const a = text(once.after).split('\n'), b = out.split('\n');
    expect(b.length - a.length).toBe(4);
  });

  it('escapes values that are special in XML', () => {
    const r = run(genWebXml(), { kind: 'install', set: { ...KEYS, 'unprotected.dirs': '/a&b /c<d' } });
    expect(text(r.after)).toContain('<param-value>/a&amp;b /c&lt;d</param-value>');
    expect(r.afterFacts.duo.filter!.params).toContainEqual(['unprotected.dirs', '/a&b /c<d']);
  });

  it('moves a duoauth block found elsewhere to right after security', () => {
    const misplaced = text(run(genWebXml(), install).after);
    // Move the filter block to the end of the filters by hand.
    const m = /\n\n    <filter>\s*<filter-name>duoauth[\s\S]*?<\/filter>/.exec(misplaced)!;
    const moved = misplaced.replace(m[0], '').replace('<filter-name>extra1</filter-name>\n        <filter-class>com.example.Extra1</filter-class>\n    </filter>', (s) => s + m[0]);
    expect(chain(moved, 'filter').at(-1)).toBe('duoauth');
    const r = run(moved, install);
    expect(chain(text(r.after), 'filter')).toEqual(['login', 'trustedapps', 'security', 'duoauth', 'extra0', 'extra1']);
    expect(r.notes.join()).toMatch(/moved the duoauth filter/);
  });

  it('keeps the name of a Duo filter added by hand under another name, so the filter and its mapping still agree', () => {
    const renamed = text(run(genWebXml(), install).after).replace(/<filter-name>duoauth<\/filter-name>/g, '<filter-name>duo</filter-name>');
    // The mapping moved away from the security mapping (the filter stays in place) ...
    const m = /\n\n    <filter-mapping>\s*<filter-name>duo<[\s\S]*?<\/filter-mapping>/.exec(renamed)!;
    const mappingAway = renamed.replace(m[0], '').replace('</web-app>', `${m[0].trim()}\n</web-app>`);
    const a = text(run(mappingAway, install).after);
    expect(chain(a, 'filter')).toEqual(['login', 'trustedapps', 'security', 'duo', 'extra0', 'extra1']);
    expect(chain(a, 'filter-mapping')).toEqual(['login', 'trustedapps', 'security', 'duo', 'extra0', 'extra1']);
    // ... or no mapping at all: enable adds one for that filter.
    const noMapping = renamed.replace(m[0], '');
    expect(chain(text(run(noMapping, { kind: 'enable' }).after), 'filter-mapping')).toEqual(['login', 'trustedapps', 'security', 'duo', 'extra0', 'extra1']);
  });

  it.each([
    ['two duoauth filters', (x: string) => x.replace('</web-app>', '<filter><filter-name>duoauth</filter-name><filter-class>c</filter-class></filter>'.repeat(2) + '</web-app>'), /2 duoauth filters/],
    ['no security filter', () => genWebXml({ securityName: 'sekurity' }), /web\.xml has no <filter> named "security"/],
    ['malformed XML', (x: string) => x.replace('</filter-mapping>', '</filter-mappin>'), /not well-formed/],
    ['jakarta namespace', () => genWebXml({ namespace: 'https://jakarta.ee/xml/ns/jakartaee' }), /Jakarta/],
    ['unknown namespace', () => genWebXml({ namespace: 'urn:other' }), /unknown namespace/],
    ['universal prompt config', (x: string) => x.replace('</web-app>', '<filter><filter-name>duoauth</filter-name><filter-class>com.duosecurity.seraph.filter.DuoAuthFilter</filter-class><init-param><param-name>client.Id</param-name><param-value>x</param-value></init-param></filter></web-app>'), /Universal Prompt/],
    ['UTF-16', () => Buffer.from('\ufeff' + genWebXml(), 'utf16le'), /UTF-16/],
  ])('refuses %s with exit 4 and an explanation', (_name, make, msg) => {
    const input = make(genWebXml());
    const e = (() => { try { run(input as string, install); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(UnsafeEditError);
    expect((e as Error).message).toMatch(msg);
    expect((e as UnsafeEditError).exitCode).toBe(4);
  });
});

describe('formatting is kept', () => {
  it('CRLF files get CRLF lines only', () => {
    const out = text(run(genWebXml({ newline: '\r\n' }), install).after);
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(out).toContain('<filter-name>duoauth</filter-name>\r\n');
  });

  it('tab-indented files get tabs', () => {
    const out = text(run(genWebXml({ indent: '\t' }), install).after);
    expect(out).toContain('\n\t<filter>\n\t\t<filter-name>duoauth</filter-name>\n\t\t<filter-class>');
    expect(out).toContain('\n\t\t<init-param>\n\t\t\t<param-name>ikey</param-name>');
  });

  it('a BOM and the declaration stay', () => {
    const r = run(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(genWebXml().replace(/^\uFEFF/, ''))]), install);
    expect([...r.after.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text(r.after.subarray(3))).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n/);
  });

  it('ISO-8859-1 files keep their non-ASCII bytes', () => {
    const latin = Buffer.from(genWebXml({ declaration: '<?xml version="1.0" encoding="ISO-8859-1"?>' }).replace('<display-name>', '<!-- Jérôme --><display-name>'), 'latin1');
    const r = run(latin, install);
    expect(r.after.includes(Buffer.from('J\xe9r\xf4me', 'latin1'))).toBe(true);
    expect(run(r.after, { kind: 'uninstall' }).after.equals(latin)).toBe(true);
  });

  it('comments that contain <filter> text, CDATA and padded names do not confuse it', () => {
    const xml = genWebXml()
      .replace('<filter-name>security</filter-name>', '<filter-name>\n            security\n        </filter-name>')
      .replace('<display-name>', '<!-- <filter><filter-name>security</filter-name></filter> --><description><![CDATA[ <filter> & </filter> ]]></description><display-name>');
    const r = run(xml, install);
    expect(chain(text(r.after), 'filter')).toEqual(['login', 'trustedapps', 'security', 'duoauth', 'extra0', 'extra1']);
    expect(run(r.after, { kind: 'uninstall' }).after.toString()).toBe(xml);
  });

  it('uses the document prefix for a prefixed namespace', () => {
    const out = text(run(genWebXml({ prefix: 'j' }), install).after);
    expect(out).toContain('<j:filter>\n        <j:filter-name>duoauth</j:filter-name>');
    expect(out).toContain('<j:filter-name>duoauth</j:filter-name>\n        <j:url-pattern>/*</j:url-pattern>');
  });
});

describe('install → uninstall is byte-identical over generated formats', () => {
  const styles = styleMatrix();
  it(`holds for all ${styles.length} styles, and re-install changes nothing`, () => {
    for (const s of styles) {
      const original = Buffer.from(genWebXml(s));
      const inst = run(original, install);
      expect(inst.changed, JSON.stringify(s)).toBe(true);
      expect(run(inst.after, install).changed, JSON.stringify(s)).toBe(false);
      const un = run(inst.after, { kind: 'uninstall' });
      expect(un.after.equals(original), JSON.stringify(s)).toBe(true);
      const dis = run(inst.after, { kind: 'disable' });
      expect(run(dis.after, { kind: 'enable' }).after.equals(inst.after), JSON.stringify(s)).toBe(true);
      expect(run(dis.after, { kind: 'uninstall' }).after.equals(original), JSON.stringify(s)).toBe(true);
    }
  });
});

describe('uninstall, disable, enable', () => {
  it('uninstall removes a duoauth block added by hand, wherever it is', () => {
    const hand = genWebXml().replace('</web-app>', '  <filter><filter-name>duoauth</filter-name><filter-class>com.duosecurity.seraph.filter.DuoAuthFilter</filter-class></filter>\n</web-app>');
    const out = text(run(hand, { kind: 'uninstall' }).after);
    expect(out).not.toContain('duoauth');
    expect(out).toBe(genWebXml());
  });

  it('uninstall on a clean file is a no-op', () => {
    const r = run(genWebXml(), { kind: 'uninstall' });
    expect(r.changed).toBe(false);
    expect(r.edits).toEqual([]);
  });

  it('disable comments out the mapping; the filter stays; a second disable does nothing', () => {
    const inst = run(genWebXml(), install);
    const dis = run(inst.after, { kind: 'disable' });
    const out = text(dis.after);
    expect(chain(out, 'filter-mapping')).not.toContain('duoauth');
    expect(chain(out, 'filter')).toContain('duoauth');
    expect(out).toMatch(/<!-- duo-jira disabled: <filter-mapping>\s*<filter-name>duoauth/);
    expect(run(dis.after, { kind: 'disable' }).changed).toBe(false);
  });

  it('enable restores a mapping the admin commented out by hand (the seed deactivation)', () => {
    const inst = text(run(genWebXml(), install).after);
    const hand = inst.replace(/<filter-mapping>\s*<filter-name>duoauth[\s\S]*?<\/filter-mapping>/, (m) => `<!--\n    ${m}\n    -->`);
    expect(readWebXml(Buffer.from(hand)).facts.duo.disabled).toHaveLength(1);
    const en = run(hand, { kind: 'enable' });
    expect(chain(text(en.after), 'filter-mapping')).toEqual(['login', 'trustedapps', 'security', 'duoauth', 'extra0', 'extra1']);
  });

  it('install re-enables a disabled setup', () => {
    const inst = run(genWebXml(), install);
    const dis = run(inst.after, { kind: 'disable' });
    const again = run(dis.after, install);
    expect(again.after.equals(inst.after)).toBe(true);
  });

  it('enable without a duoauth filter is a usage error', () => {
    expect(() => run(genWebXml(), { kind: 'enable' })).toThrow(UsageError);
  });
});

describe('the repo fixtures (fixtures/webxml, fixtures/jira-*)', () => {
  const dir = new URL('../../fixtures/', import.meta.url);
  const read = (p: string) => readFileSync(new URL(p, dir));
  it.each(['webxml/crlf.web.xml', 'webxml/tabs.web.xml', 'webxml/bom.web.xml', 'webxml/latin1.web.xml', 'webxml/comment-tricks.web.xml', 'webxml/prefixed-ns.web.xml',
    'jira-6/atlassian-jira/WEB-INF/web.xml', 'jira-7/atlassian-jira/WEB-INF/web.xml', 'jira-8/atlassian-jira/WEB-INF/web.xml'])('%s: install is placed right, idempotent, and uninstall is byte-identical', (f) => {
    const original = read(f);
    const inst = run(original, install);
    const facts = inst.afterFacts;
    const root = facts.doc.root;
    expect(nextElementSibling(root, facts.security.filter.el)).toBe(facts.duo.filter!.el);
    expect(nextElementSibling(root, facts.security.mapping.el)).toBe(facts.duo.mapping!.el);
    expect(run(inst.after, install).changed).toBe(false);
    expect(run(inst.after, { kind: 'uninstall' }).after.equals(original)).toBe(true);
  });

  it.each([
    ['webxml/no-security.web.xml', /named "security"/],
    ['webxml/malformed.web.xml', /not well-formed/],
    ['webxml/duplicated.web.xml', /2 duoauth filters/],
    ['webxml/universal.web.xml', /Universal Prompt/],
  ])('%s is refused', (f, msg) => {
    expect(() => run(read(f), install)).toThrow(msg);
  });

  it('misplaced.web.xml: the duoauth blocks are moved right after security', () => {
    const r = run(read('webxml/misplaced.web.xml'), install);
    const { doc, security, duo } = r.afterFacts;
    expect(nextElementSibling(doc.root, security.filter.el)).toBe(duo.filter!.el);
    expect(nextElementSibling(doc.root, security.mapping.el)).toBe(duo.mapping!.el);
    expect(r.notes.join(' ')).toMatch(/moved the duoauth filter.*moved the duoauth filter-mapping/);
  });

  it('installed.web.xml: keeps the installed akey and optional params when only keys are given', () => {
    const before = readWebXml(read('webxml/installed.web.xml')).facts.duo.filter!.params;
    const r = run(read('webxml/installed.web.xml'), { kind: 'install', set: { ikey: KEYS.ikey } });
    expect(r.afterFacts.duo.filter!.params).toEqual(before.map(([n, v]) => [n, n === 'ikey' ? KEYS.ikey : v]));
  });
});
