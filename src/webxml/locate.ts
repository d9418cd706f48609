// Find the pieces of web.xml that matter: the `security` filter and mapping, and any duoauth filter,
// mapping, or mapping that was commented out (the seed's way of deactivating Duo).
import { UnsafeEditError } from '../errors.js';
import { childElements, childText, lineOf, parseXml, prefixOf, textOf, type XComment, type XDoc, type XElement } from './parse.js';
import { DUO, type Params } from './template.js';

const JAVAX_NAMESPACES = new Set([
  '', // DTD-based (Servlet 2.3) web.xml
  'http://java.sun.com/xml/ns/j2ee',
  'http://java.sun.com/xml/ns/javaee',
  'http://xmlns.jcp.org/xml/ns/javaee',
]);

export interface FilterInfo { el: XElement; name: string; className: string; params: Params }
export interface MappingInfo { el: XElement; name: string; urlPatterns: string[]; dispatchers: string[] }
export interface DisabledMapping { comment: XComment; mappingText: string }

export interface WebXmlFacts {
  doc: XDoc;
  /** Element prefix used by the document ('' for a default namespace). */
  prefix: string;
  namespace: string;
  filters: FilterInfo[];
  mappings: MappingInfo[];
  security: { filter: FilterInfo; mapping: MappingInfo };
  duo: { filter?: FilterInfo; mapping?: MappingInfo; disabled: DisabledMapping[] };
}

export function locate(doc: XDoc): WebXmlFacts {
  const { root, source } = doc;
  if (root.local !== 'web-app') throw new UnsafeEditError(`web.xml's root element is <${root.name}>, not <web-app>.`);
  const prefix = prefixOf(root.name);
  const namespace = root.attrs[prefix ? `xmlns:${prefix}` : 'xmlns'] ?? '';
  checkNamespace(namespace);

  const own = (e: XElement) => prefixOf(e.name) === prefix;
  const filters = childElements(root, 'filter').filter(own).map(filterInfo);
  const mappings = childElements(root, 'filter-mapping').filter(own).map(mappingInfo);
  const at = (e: XElement) => `line ${lineOf(source, e.start)}`;

  const secFilters = filters.filter((f) => f.name === DUO.securityFilterName);
  const secMappings = mappings.filter((m) => m.name === DUO.securityFilterName);
  const missing = secFilters.length === 0 ? '<filter>' : secMappings.length === 0 ? '<filter-mapping>' : '';
  if (missing) {
    throw new UnsafeEditError(
      `web.xml has no ${missing} named "security" (Seraph's JiraSecurityFilter); Duo must run right after it.`,
      'Is -d pointing at a Jira installation directory? Check atlassian-jira/WEB-INF/web.xml by hand.',
    );
  }
  if (secFilters.length > 1 || secMappings.length > 1) {
    const all = [...secFilters, ...secMappings].map((x) => at(x.el)).join(', ');
    throw new UnsafeEditError(`web.xml declares "security" more than once (${all}); the right place for Duo is ambiguous.`);
  }

  const duoFilters = filters.filter((f) => f.name === DUO.filterName || f.className === DUO.filterClass);
  if (duoFilters.length > 1) {
    throw new UnsafeEditError(
      `web.xml has ${duoFilters.length} duoauth filters (${duoFilters.map((f) => at(f.el)).join(', ')}).`,
      'Remove the extra copies by hand (keep one), or run `duo-jira uninstall` and install again.',
    );
  }
  const duoFilter = duoFilters[0];
  const duoName = duoFilter?.name ?? DUO.filterName;
  const duoMappings = mappings.filter((m) => m.name === duoName);
  if (duoMappings.length > 1) {
    throw new UnsafeEditError(
      `web.xml has ${duoMappings.length} filter-mappings for ${duoName} (${duoMappings.map((m) => at(m.el)).join(', ')}).`,
      'Remove the extra mappings by hand, or run `duo-jira uninstall` and install again.',
    );
  }
  if (duoFilter && duoFilter.params.some(([n]) => DUO.universalParams.includes(n))) {
    throw new UnsafeEditError(
      `The duoauth filter at ${at(duoFilter.el)} is configured for Duo's Universal Prompt plugin (client.Id/client.Secret), not the legacy plugin duo-jira installs.`,
      "Manage it with Duo's Universal plugin installer, or remove it first if you mean to go back to the legacy plugin.",
    );
  }
  return {
    doc, prefix, namespace, filters, mappings,
    security: { filter: secFilters[0]!, mapping: secMappings[0]! },
    duo: { filter: duoFilter, mapping: duoMappings[0], disabled: disabledMappings(source, root, duoName) },
  };
}

function checkNamespace(ns: string): void {
  if (JAVAX_NAMESPACES.has(ns)) return;
  if (ns.includes('jakarta')) {
    throw new UnsafeEditError(
      `web.xml uses the Jakarta EE namespace (${ns}); the legacy DuoAuthFilter is a javax.servlet filter and would not load.`,
    );
  }
  throw new UnsafeEditError(`web.xml uses an unknown namespace (${ns}); duo-jira refuses to guess.`);
}

function filterInfo(el: XElement): FilterInfo {
  const params: Params = childElements(el, 'init-param').map((p) => [childText(p, 'param-name') ?? '', childText(p, 'param-value') ?? '']);
  return { el, name: childText(el, 'filter-name') ?? '', className: childText(el, 'filter-class') ?? '', params };
}

function mappingInfo(el: XElement): MappingInfo {
  return {
    el,
    name: childText(el, 'filter-name') ?? '',
    urlPatterns: childElements(el, 'url-pattern').map(textOf),
    dispatchers: childElements(el, 'dispatcher').map(textOf),
  };
}

/** Root-level comments whose whole content is a filter-mapping for the duo filter. */
function disabledMappings(source: string, root: XElement, duoName: string): DisabledMapping[] {
  const out: DisabledMapping[] = [];
  for (const c of root.children) {
    if (c.type !== 'comment' || !c.text.includes('filter-mapping') || !c.text.includes(duoName)) continue;
    // The raw source, not the parser's text: that has CRLF folded to LF, and enable must restore bytes.
    const mappingText = commentedMapping(source.slice(c.start + 4, c.end - 3));
    if (mappingText === undefined) continue;
    try {
      const inner = parseXml(mappingText, 'commented-out mapping').root;
      if (inner.local === 'filter-mapping' && childText(inner, 'filter-name') === duoName) out.push({ comment: c, mappingText });
    } catch {
      // Not a parsable mapping: an ordinary comment that merely mentions duoauth.
    }
  }
  return out;
}

export const DISABLED_MARK = 'duo-jira disabled:';

/** The mapping text inside a disabling comment: ours (with the marker) or one commented out by hand. */
export function commentedMapping(text: string): string | undefined {
  let t = text;
  if (t.startsWith(` ${DISABLED_MARK} `) && t.endsWith(' ')) t = t.slice(DISABLED_MARK.length + 2, -1);
  else t = t.trim();
  return /^<([\w-]+:)?filter-mapping[\s>][\s\S]*<\/([\w-]+:)?filter-mapping>$/.test(t) ? t : undefined;
}
