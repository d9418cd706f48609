// Prove an edited web.xml is what we meant: well-formed, nothing outside the duoauth filter/mapping changed
// (every other top-level element is byte-identical, in order), and the duoauth state is the intended one.
import { UnsafeEditError } from '../errors.js';
import { locate, type WebXmlFacts } from './locate.js';
import { childElements, parseXml, type XElement } from './parse.js';
import { DUO } from './template.js';
import type { Intent } from './edit.js';
import { nextElementSibling } from './splice.js';

export function verifyChange(before: WebXmlFacts, afterText: string, intent: Intent): WebXmlFacts {
  let after: WebXmlFacts;
  try {
    after = locate(parseXml(afterText));
  } catch (e) {
    throw fail(`the edited file would not be valid: ${(e as Error).message}`);
  }
  const b = before.doc, a = after.doc;
  if (b.source.slice(0, b.root.openEnd) !== a.source.slice(0, a.root.openEnd)) throw fail('the text before <web-app> changed');
  if (b.source.slice(b.root.closeStart) !== a.source.slice(a.root.closeStart)) throw fail('the text after the last element changed');

  const others = (f: WebXmlFacts) => {
    const duo = new Set<XElement>([f.duo.filter?.el, f.duo.mapping?.el].filter((x): x is XElement => !!x));
    return childElements(f.doc.root).filter((e) => !duo.has(e)).map((e) => f.doc.source.slice(e.start, e.end));
  };
  const bo = others(before), ao = others(after);
  if (bo.length !== ao.length) throw fail(`the number of other elements changed (${bo.length} → ${ao.length})`);
  for (let i = 0; i < bo.length; i++) if (bo[i] !== ao[i]) throw fail(`element #${i + 1} outside the duoauth blocks changed`);

  checkIntent(before, after, intent);
  return after;
}

function checkIntent(before: WebXmlFacts, after: WebXmlFacts, intent: Intent): void {
  const { duo, security, doc } = after;
  const root = doc.root;
  switch (intent.state) {
    case 'absent':
      if (duo.filter || duo.mapping || duo.disabled.length) throw fail('a duoauth block is still present');
      return;
    case 'disabled':
      if (duo.mapping) throw fail('the duoauth mapping is still active');
      sameFilter(before, after);
      return;
    case 'enabled':
      if (!duo.mapping || nextElementSibling(root, security.mapping.el) !== duo.mapping.el) throw fail('the duoauth mapping is not right after the security mapping');
      if (duo.disabled.length) throw fail('a commented-out duoauth mapping remains');
      sameFilter(before, after);
      return;
    case 'installed': {
      const f = duo.filter, m = duo.mapping;
      if (!f || nextElementSibling(root, security.filter.el) !== f.el) throw fail('the duoauth filter is not right after the security filter');
      if (!m || nextElementSibling(root, security.mapping.el) !== m.el) throw fail('the duoauth filter-mapping is not right after the security mapping');
      if (f.className !== DUO.filterClass) throw fail(`the duoauth filter class is ${f.className}`);
      if (JSON.stringify(f.params) !== JSON.stringify(intent.params)) throw fail('the duoauth init-params are not the intended ones');
      if (duo.disabled.length) throw fail('a commented-out duoauth mapping remains');
      if (intent.keptFilter) {
        const rest = (e: XElement, s: string) => childElements(e).filter((c) => c.local !== 'init-param').map((c) => s.slice(c.start, c.end)).join('\n');
        if (rest(intent.keptFilter, before.doc.source) !== rest(f.el, doc.source)) throw fail('parts of the duoauth filter other than its init-params changed');
      }
      const expectMapping = intent.keptMapping ? before.duo.mapping! : { urlPatterns: DUO.mapping.urlPatterns, dispatchers: DUO.mapping.dispatchers };
      if (JSON.stringify([m.urlPatterns, m.dispatchers]) !== JSON.stringify([expectMapping.urlPatterns, expectMapping.dispatchers])) {
        throw fail('the duoauth mapping is not the intended one');
      }
      return;
    }
  }
}

function sameFilter(before: WebXmlFacts, after: WebXmlFacts): void {
  const b = before.duo.filter, a = after.duo.filter;
  const text = (f: typeof a, s: string) => (f ? s.slice(f.el.start, f.el.end) : '');
  if (text(b, before.doc.source) !== text(a, after.doc.source)) throw fail('the duoauth filter changed');
}

function fail(what: string): UnsafeEditError {
  return new UnsafeEditError(`Refusing to write web.xml: ${what}. Nothing was written.`, 'This is a duo-jira bug or a very unusual web.xml; please report it with the file (remove secrets first).');
}
