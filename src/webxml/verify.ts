// Prove an edited web.xml is what we meant: well-formed, nothing outside the duoauth filter/mapping changed
// (every other top-level element is byte-identical, in order), and the duoauth state is the intended one.
//
// Only the window of top-level nodes that the edits touch is re-parsed: the text before and after the window
// is compared byte for byte with the original (which was parsed in full and is well-formed), so the whole
// result is well-formed exactly when the window parses inside the original root start tag. That keeps a
// 3 MB web.xml from being parsed twice.
import { UnsafeEditError } from '../errors.js';
import { locate, type WebXmlFacts } from './locate.js';
import { childElements, parseXml, textOf, WEBXML_DEEP, type XDoc, type XElement, type XNode } from './parse.js';
import { DUO } from './template.js';
import type { Intent } from './edit.js';
import { nextElementSibling, type Edit } from './splice.js';

export function verifyChange(before: WebXmlFacts, edits: readonly Edit[], afterText: string, intent: Intent): WebXmlFacts {
  let after: WebXmlFacts;
  let window: Window;
  try {
    window = editWindow(before.doc, edits, afterText);
    after = locate(window.doc);
  } catch (e) {
    if (e instanceof UnsafeEditError && e.message.startsWith('Refusing')) throw e;
    throw fail(`the edited file would not be valid: ${(e as Error).message}`);
  }
  const others = (nodes: XNode[], source: string, f: WebXmlFacts) => {
    const duo = new Set<XNode | undefined>([f.duo.filter?.el, f.duo.mapping?.el]);
    return nodes.filter((e): e is XElement => e.type === 'element' && !duo.has(e)).map((e) => source.slice(e.start, e.end));
  };
  const bo = others(window.beforeNodes, before.doc.source, before), ao = others(window.afterNodes, afterText, after);
  if (bo.length !== ao.length) throw fail(`the number of other elements changed (${bo.length} → ${ao.length})`);
  for (let i = 0; i < bo.length; i++) if (bo[i] !== ao[i]) throw fail(`an element outside the duoauth blocks changed`);
  checkIntent(before, after, intent);
  return after;
}

interface Window { doc: XDoc; beforeNodes: XNode[]; afterNodes: XNode[] }

/** Re-parse just the top-level nodes the edits touch, and assemble the edited document's tree around them. */
function editWindow(doc: XDoc, edits: readonly Edit[], afterText: string): Window {
  const { root, source } = doc;
  const lo = Math.min(...edits.map((e) => e.start));
  const hi = Math.max(...edits.map((e) => e.end));
  if (lo < root.openEnd || hi > root.closeStart) throw fail('an edit falls outside <web-app>');
  const markup = root.children.filter((c): c is XElement | Extract<XNode, { type: 'comment' }> => c.type === 'element' || c.type === 'comment');
  const first = markup.findIndex((c) => c.end > lo);
  const stop = markup.findIndex((c) => c.start >= hi);
  const startIdx = first < 0 ? markup.length : first;
  const stopIdx = stop < 0 ? markup.length : stop;
  const winStart = startIdx === 0 ? root.openEnd : markup[startIdx - 1]!.end;
  const winEnd = stopIdx === markup.length ? root.closeStart : markup[stopIdx]!.start;
  const delta = afterText.length - source.length;
  if (afterText.slice(0, winStart) !== source.slice(0, winStart) || afterText.slice(winEnd + delta) !== source.slice(winEnd)) {
    throw fail('text outside the edited region changed');
  }
  const open = source.slice(root.start, root.openEnd);
  const wrapped = parseXml(open + afterText.slice(winStart, winEnd + delta) + `</${root.name}>`, 'web.xml', WEBXML_DEEP);
  const shift = winStart - open.length;
  const afterNodes = wrapped.root.children.map((c) => shiftDeep(c, shift));
  const beforeNodes = markup.slice(startIdx, stopIdx);
  // Text between markup belongs to the window when it touches it; keep only what lies wholly outside.
  const head: XNode[] = [], tail: XNode[] = [];
  let pending: XNode[] = [];
  for (const c of root.children) {
    if (c.type !== 'element' && c.type !== 'comment') { pending.push(c); continue; }
    if (c.end <= winStart) { head.push(...pending, c); pending = []; }
    else if (c.start >= winEnd) { if (tail.length) tail.push(...pending); tail.push(shiftTop(c, delta)); pending = []; }
    else pending = [];
  }
  if (tail.length) tail.push(...pending);
  const newRoot: XElement = { ...root, closeStart: root.closeStart + delta, end: root.end + delta, children: [...head, ...afterNodes, ...tail] };
  return { doc: { source: afterText, root: newRoot }, beforeNodes, afterNodes };
}

function shiftDeep<T extends XNode>(n: T, d: number): T {
  if (n.type === 'element') return { ...n, start: n.start + d, openEnd: n.openEnd + d, closeStart: n.closeStart + d, end: n.end + d, children: n.children.map((c) => shiftDeep(c, d)) };
  if (n.type === 'comment') return { ...n, start: n.start + d, end: n.end + d };
  return n;
}

/** Top-level nodes after the window keep their content; only their own offsets move (verify never reads deeper offsets there). */
function shiftTop<T extends XNode>(n: T, d: number): T {
  if (d === 0) return n;
  if (n.type === 'element') return { ...n, start: n.start + d, openEnd: n.openEnd + d, closeStart: n.closeStart + d, end: n.end + d };
  if (n.type === 'comment') return { ...n, start: n.start + d, end: n.end + d };
  return n;
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
        const rest = (e: XElement) => childElements(e).filter((c) => c.local !== 'init-param').map((c) => `${c.name}=${textOf(c)}`).join('\n');
        if (rest(intent.keptFilter) !== rest(f.el)) throw fail('parts of the duoauth filter other than its init-params changed');
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
