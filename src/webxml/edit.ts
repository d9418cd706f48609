// Plan the web.xml change for each command as a list of text edits plus the intended end state, which
// verify.ts checks independently on the re-parsed result.
import { UsageError, UnsafeEditError } from '../errors.js';
import { DISABLED_MARK, type FilterInfo, type WebXmlFacts } from './locate.js';
import { childElements, childText, type XElement } from './parse.js';
import { escapeText, renderFilter, renderInitParam, renderMapping } from './render.js';
import { insertionAfter, nextElementSibling, nextMarkupSibling, removal, type Edit } from './splice.js';
import { styleNear } from './style.js';
import { PARAM_ORDER, type Params } from './template.js';

export type Intent =
  | { state: 'installed'; params: Params; keptFilter?: XElement; keptMapping?: XElement }
  | { state: 'absent' }
  | { state: 'disabled' }
  | { state: 'enabled' };

export interface WebXmlChange {
  edits: Edit[];
  intent: Intent;
  /** Human notes on what the change does beyond the obvious (moved, re-enabled, ...). */
  notes: string[];
}

/** Existing params in their order with new values; params not yet present appended in the template's order. */
export function mergeParams(existing: Params, set: Record<string, string | undefined>): Params {
  const out: Params = existing.map(([n, v]) => [n, set[n] ?? v]);
  const have = new Set(existing.map(([n]) => n));
  for (const n of PARAM_ORDER) if (set[n] !== undefined && !have.has(n)) out.push([n, set[n]!]);
  for (const n of Object.keys(set)) if (set[n] !== undefined && !have.has(n) && !PARAM_ORDER.includes(n)) out.push([n, set[n]!]);
  return out;
}

export function planInstall(facts: WebXmlFacts, set: Record<string, string | undefined>): WebXmlChange {
  const { doc, security, duo } = facts;
  const { source, root } = doc;
  const edits: Edit[] = [];
  const notes: string[] = [];
  const params = mergeParams(duo.filter?.params ?? [], set);
  // Keep the name of a Duo filter added by hand under another name: the filter and its mapping must agree,
  // and one of them may stay where it is.
  const name = duo.filter?.name || undefined;
  let keptFilter: XElement | undefined;
  let keptMapping: XElement | undefined;

  if (duo.filter && nextElementSibling(root, security.filter.el) === duo.filter.el) {
    keptFilter = duo.filter.el;
    edits.push(...updateParams(source, duo.filter, params));
  } else {
    if (duo.filter) {
      edits.push(removal(source, root, duo.filter.el));
      notes.push('moved the duoauth filter to right after the security filter');
    }
    edits.push(insertionAfter(source, root, security.filter.el, renderFilter(params, styleNear(source, security.filter.el), name)));
  }

  if (duo.mapping && nextElementSibling(root, security.mapping.el) === duo.mapping.el) {
    keptMapping = duo.mapping.el;
  } else {
    if (duo.mapping) {
      edits.push(removal(source, root, duo.mapping.el));
      notes.push('moved the duoauth filter-mapping to right after the security mapping');
    }
    edits.push(insertionAfter(source, root, security.mapping.el, renderMapping(styleNear(source, security.mapping.el), name)));
  }
  for (const d of duo.disabled) {
    edits.push(removal(source, root, d.comment));
    notes.push('re-enabled Duo (removed the commented-out duoauth mapping)');
  }
  return { edits, intent: { state: 'installed', params, keptFilter, keptMapping }, notes };
}

export function planUninstall(facts: WebXmlFacts): WebXmlChange {
  const { doc, duo } = facts;
  const edits: Edit[] = [];
  if (duo.filter) edits.push(removal(doc.source, doc.root, duo.filter.el));
  if (duo.mapping) edits.push(removal(doc.source, doc.root, duo.mapping.el));
  for (const d of duo.disabled) edits.push(removal(doc.source, doc.root, d.comment));
  return { edits, intent: { state: 'absent' }, notes: [] };
}

export function planDisable(facts: WebXmlFacts): WebXmlChange {
  const { doc, duo } = facts;
  if (!duo.mapping) return { edits: [], intent: { state: 'disabled' }, notes: [] };
  const text = doc.source.slice(duo.mapping.el.start, duo.mapping.el.end);
  // A comment may not contain "--"; a mapping with its own comments cannot be commented out safely.
  if (text.includes('--') || text.endsWith('-')) {
    throw new UnsafeEditError('The duoauth filter-mapping contains "--" (probably a comment), so it cannot be commented out safely.', 'Remove the comment inside the duoauth <filter-mapping> by hand, then run disable again.');
  }
  const comment = `<!-- ${DISABLED_MARK} ${text} -->`;
  return { edits: [{ start: duo.mapping.el.start, end: duo.mapping.el.end, text: comment }], intent: { state: 'disabled' }, notes: [] };
}

export function planEnable(facts: WebXmlFacts): WebXmlChange {
  const { doc, duo, security } = facts;
  const { source, root } = doc;
  if (!duo.filter) throw new UsageError('Duo is not installed in this web.xml (no duoauth filter), so there is nothing to enable.', 'Run `duo-jira install` instead.');
  if (duo.mapping && duo.disabled.length === 0) return { edits: [], intent: { state: 'enabled' }, notes: [] };
  const edits: Edit[] = [];
  const [first, ...rest] = duo.disabled;
  if (!duo.mapping && first && nextMarkupSibling(root, security.mapping.el) === first.comment) {
    // Put the mapping back exactly where the comment is: disable followed by enable is byte-identical.
    edits.push({ start: first.comment.start, end: first.comment.end, text: first.mappingText });
  } else {
    for (const d of duo.disabled) edits.push(removal(source, root, d.comment));
    if (!duo.mapping) {
      const text = first?.mappingText ?? renderMapping(styleNear(source, security.mapping.el), duo.filter.name || undefined);
      edits.push(insertionAfter(source, root, security.mapping.el, text));
    }
  }
  for (const d of rest) if (!edits.some((e) => e.start <= d.comment.start && e.end >= d.comment.end)) edits.push(removal(source, root, d.comment));
  return { edits, intent: { state: 'enabled' }, notes: [] };
}

function updateParams(source: string, filter: FilterInfo, params: Params): Edit[] {
  const edits: Edit[] = [];
  const elems = childElements(filter.el, 'init-param');
  const added: string[] = [];
  const style = styleNear(source, elems[0] ?? childElements(filter.el)[0] ?? filter.el);
  for (const [name, value] of params) {
    const el = elems.find((p) => childText(p, 'param-name') === name);
    if (!el) {
      added.push(renderInitParam(name, value, style));
      continue;
    }
    if (childText(el, 'param-value') === value) continue;
    const pv = childElements(el, 'param-value')[0];
    if (!pv) throw new UnsafeEditError(`The duoauth init-param "${name}" has no <param-value>; fix it by hand.`);
    edits.push(pv.closeStart === pv.end
      ? { start: pv.start, end: pv.end, text: `<${pv.name}>${escapeText(value)}</${pv.name}>` }
      : { start: pv.openEnd, end: pv.closeStart, text: escapeText(value) });
  }
  if (added.length) {
    const anchor = elems[elems.length - 1] ?? childElements(filter.el).at(-1)!;
    const first = insertionAfter(source, filter.el, anchor, added[0]!);
    const gap = first.text.slice(0, first.text.length - added[0]!.length);
    edits.push({ ...first, text: added.map((a) => gap + a).join('') });
  }
  return edits;
}
