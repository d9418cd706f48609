// A small XML tree that remembers where every element and comment sits in the source text, so edits can
// be spliced in as text instead of re-serializing the document. saxes is a spec-conformant, strict
// (well-formedness checking) parser; it is several times faster than a preserveOrder DOM build here,
// which matters because every install parses the file twice (before and after the edit).
import { SaxesParser } from 'saxes';
import { UnsafeEditError } from '../errors.js';

export interface XElement {
  type: 'element';
  name: string;
  /** Name without a namespace prefix. */
  local: string;
  attrs: Record<string, string>;
  /** Offset of '<'. */
  start: number;
  /** Offset just past the start tag's '>'. */
  openEnd: number;
  /** Offset of the end tag's '<' (== end for a self-closing element). */
  closeStart: number;
  /** Offset just past the element. */
  end: number;
  children: XNode[];
}
export interface XText { type: 'text'; text: string }
export interface XComment { type: 'comment'; text: string; start: number; end: number }
export interface XPi { type: 'pi'; target: string; body: string }
export type XNode = XElement | XText | XComment | XPi;

export interface XDoc {
  source: string;
  root: XElement;
}

export interface ParseOptions {
  /**
   * Which top-level elements (by local name) get their whole subtree built. The others keep only their
   * own offsets: verification compares them as text, so a 3 MB web.xml with 700 servlets does not turn
   * into a million objects (allocation was the biggest cost of a large install). Default: all.
   */
  deep?: (local: string) => boolean;
}

export function parseXml(source: string, what = 'web.xml', opts: ParseOptions = {}): XDoc {
  const parser = new SaxesParser({ position: true });
  const stack: XElement[] = [];
  let root: XElement | undefined;
  /** >0 while inside a top-level element whose subtree is not built. */
  let skip = 0;
  const push = (n: XNode) => stack[stack.length - 1]?.children.push(n);

  parser.on('opentag', (tag) => {
    if (skip > 0) { skip++; return; }
    const end = parser.position;
    const el: XElement = {
      type: 'element', name: tag.name, local: localName(tag.name), attrs: tag.attributes as Record<string, string>,
      start: source.lastIndexOf('<', end - 1), openEnd: end, closeStart: end, end, children: [],
    };
    if (stack.length === 0) root = el;
    else push(el);
    stack.push(el);
    if (stack.length === 2) {
      if (opts.deep && !opts.deep(el.local)) skip = 1;
      // Text is only wanted inside the subtrees we build. Without a text handler saxes does not even
      // assemble the text, which is most of a large web.xml's allocation (whitespace between elements).
      else parser.on('text', onText);
    }
  });
  parser.on('closetag', (tag) => {
    if (skip > 1) { skip--; return; }
    skip = 0;
    const el = stack.pop()!;
    if (stack.length === 1) parser.off('text');
    el.end = parser.position;
    el.closeStart = tag.isSelfClosing ? el.end : source.lastIndexOf('</', el.end - 1);
  });
  const onText = (text: string) => { if (skip === 0) push({ type: 'text', text }); };
  parser.on('cdata', (text) => { if (skip === 0 && stack.length > 1) push({ type: 'text', text }); });
  parser.on('comment', (text) => {
    if (skip > 0) return;
    // saxes reports the comment before it has consumed the final '>', so find the terminator itself.
    const end = source.indexOf('-->', parser.position - 3) + 3;
    push({ type: 'comment', text, start: source.lastIndexOf('<!--', end - 1), end });
  });
  parser.on('processinginstruction', (pi) => { if (skip === 0) push({ type: 'pi', target: pi.target, body: pi.body }); });
  parser.on('doctype', (dt) => {
    // Entity declarations could change what text means; Jira's web.xml never has an internal subset.
    if (dt.includes('[')) throw new UnsafeEditError(`${what} has a DOCTYPE with an internal subset; duo-jira will not edit it.`);
  });

  try {
    parser.write(source).close();
  } catch (e) {
    if (e instanceof UnsafeEditError) throw e;
    throw new UnsafeEditError(
      `${what} is not well-formed XML: ${(e as Error).message}`,
      'Fix the file (or restore it from a backup) first; duo-jira never edits a broken file.',
    );
  }
  if (!root) throw new UnsafeEditError(`${what} has no root element.`);
  return { source, root };
}

/** What the web.xml engine needs built: the filter chain. Everything else is compared as text. */
export const WEBXML_DEEP: ParseOptions = { deep: (l) => l === 'filter' || l === 'filter-mapping' };

export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function prefixOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? '' : name.slice(0, i);
}

export function childElements(el: XElement, local?: string): XElement[] {
  const out: XElement[] = [];
  for (const c of el.children) if (c.type === 'element' && (local === undefined || c.local === local)) out.push(c);
  return out;
}

/** Text content as a servlet container reads it: all descendant text, trimmed. */
export function textOf(el: XElement): string {
  let s = '';
  const walk = (n: XElement) => {
    for (const c of n.children) {
      if (c.type === 'text') s += c.text;
      else if (c.type === 'element') walk(c);
    }
  };
  walk(el);
  return s.trim();
}

export function childText(el: XElement, local: string): string | undefined {
  const c = childElements(el, local)[0];
  return c ? textOf(c) : undefined;
}

/** 1-based line number of an offset, for messages an admin can act on. */
export function lineOf(source: string, offset: number): number {
  let n = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) n++;
  return n;
}
